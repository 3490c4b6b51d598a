using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg traps</c>: every check of the verbose-trap fixtures is listed with its source line, merged -O2 sites are
/// marked, and the ud2 sites are exactly the ones llvm-objdump disassembles.</summary>
public sealed partial class TrapsCommandTests
{
    private static readonly (string Category, string Message)[] MultiChecks =
    [
        ("Null check", "source account is NULL"),
        ("Bounds check", "destination slot out of range"),
        ("State check", "source account is not open"),
        ("Invariant", "amount must be positive"),
        ("Invariant", "insufficient funds"),
    ];

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O0")]
    [InlineData("clang19-O2")]
    public void EveryCheckIsListedWithItsLine(string variant)
    {
        var binary = Fixtures.Build("verbose_trap_multi", RunReportTests.Variant(variant));
        var result = CliRun.Traps(binary.Program, json: true);
        Assert.True(result.Status == 0, result.Error);
        var sites = result.Json.Items("sites").ToList();
        var checks = sites.SelectMany(s => s.Items("checks").Select(c => (Site: s, Check: c))).ToList();
        foreach (var (category, message) in MultiChecks)
        {
            var (file, first, last) = FixtureSource.VerboseTrapStatement(binary.Sources, category, message);
            var found = checks.Where(c => c.Check.Str("message") == message && c.Check.Str("category") == category).ToList();
            Assert.True(found.Count > 0, $"no check with \"{category}: {message}\" in {variant}");
            foreach (var (_, check) in found)
            {
                Assert.Equal(file, check.GetProperty("source").Str("path"));
                Assert.InRange(check.Int("line")!.Value, first, last);
            }
        }
        var transfer = sites.Where(s => s.Str("function") == "transfer").ToList();
        if (variant.EndsWith("-O2", StringComparison.Ordinal))
        {
            // Clang merges the five traps of transfer() into one ud2 at line 0 and drops their message DIEs.
            var merged = Assert.Single(transfer, s => s.Str("kind") == "ud2");
            Assert.True(merged.GetProperty("merged").GetBoolean());
            Assert.Equal(0, merged.Int("line"));
            Assert.True(merged.Int("checkCount") >= MultiChecks.Length);
            Assert.Equal(merged.Int("checkCount"), merged.Items("checks").Count());
            Assert.All(merged.Items("checks"), c => Assert.Equal("recovered", c.Str("messageSource")));
        }
        else
        {
            Assert.All(sites, s => Assert.False(s.GetProperty("merged").GetBoolean()));
            foreach (var (category, message) in MultiChecks)
            {
                var site = Assert.Single(sites, s => s.Str("message") == message && s.Str("category") == category);
                Assert.Equal("dwarf", site.Str("messageSource"));
                var (_, first, last) = FixtureSource.VerboseTrapStatement(binary.Sources, category, message);
                Assert.Equal(last, site.Int("line"));
                Assert.InRange(first, 1, last);
            }
        }
    }

    [Theory]
    [InlineData("verbose_trap_multi", "clang22-O2")]
    [InlineData("verbose_trap_multi", "clang19-O0")]
    [InlineData("verbose_trap", "clang22-O0")]
    [InlineData("builtin_trap", "gcc-O2")]
    public void Ud2SitesAgreeWithObjdump(string fixture, string variant)
    {
        var binary = Fixtures.Build(fixture, RunReportTests.Variant(variant));
        var objdump = Toolchain.Run(Toolchain.LlvmObjdump, ["-d", "--no-show-raw-insn", binary.Program]);
        Assert.Equal(0, objdump.ExitCode);
        var expected = Ud2Line().Matches(objdump.Stdout)
            .Select(m => ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToHashSet();
        var result = CliRun.Traps(binary.Program, json: true);
        var listed = result.Json.Items("sites").Where(s => s.Str("kind") == "ud2")
            .Select(s => ulong.Parse(s.Str("address")![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), listed.Order());
        Assert.All(result.Json.Items("sites"), s => Assert.Equal(binary.Program, s.Str("module")));
    }

    [Fact]
    public void TextListingMarksMergedSites()
    {
        var binary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2);
        var result = CliRun.Traps(binary.Program, json: false);
        Assert.Equal(0, result.Status);
        Assert.DoesNotContain("\u001b[", result.Output, StringComparison.Ordinal);
        var header = Assert.Single(result.Output.Split('\n'), l => l.Contains(" in transfer", StringComparison.Ordinal) && l.Contains("MERGED", StringComparison.Ordinal));
        Assert.Matches(@"MERGED: \d+ checks", header);
        foreach (var (category, message) in MultiChecks)
            Assert.Contains($"{category}: {message}", result.Output, StringComparison.Ordinal);
    }

    // -fsanitize-trap without trap reasons: each check is a ud1 whose immediate is Clang's handler ordinal, and that is
    // where the message comes from ("ubsanCheck"); with trap reasons (clang 22) a __clang_trap_msg frame carries it ("dwarf").
    [Theory]
    [InlineData("ubsan_trap", "clang22-O0", "ubsanCheck")]
    [InlineData("ubsan_trap", "clang19-O2", "ubsanCheck")]
    [InlineData("ubsan_trap_reasons", "clang22-O2", "dwarf")]
    public async Task UbsanSitesSayWhereTheirMessageComesFrom(string fixture, string variant, string messageSource)
    {
        var binary = Fixtures.Build(fixture, RunReportTests.Variant(variant));
        var objdump = Toolchain.Run(Toolchain.LlvmObjdump, ["-d", "--no-show-raw-insn", binary.Program]);
        Assert.Equal(0, objdump.ExitCode);
        var immediates = Ud1Line().Matches(objdump.Stdout).ToDictionary(
            m => ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            m => m.Groups[2].Success ? int.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0);
        var sites = CliRun.Traps(binary.Program, json: true).Json.Items("sites").Where(s => s.Str("kind") == "ud1").ToList();
        Assert.NotEmpty(immediates);
        Assert.Equal(immediates.Keys.Order(), sites.Select(s => ulong.Parse(s.Str("address")![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).Order());
        var clang = variant.StartsWith("clang19", StringComparison.Ordinal) ? 19 : 22;
        foreach (var site in sites)
        {
            Assert.Equal("Undefined Behavior Sanitizer", site.Str("category"));
            Assert.Equal(messageSource, site.Str("messageSource"));
            if (messageSource != "ubsanCheck") continue;
            // The message is the title of the check llvm-objdump's immediate names.
            var immediate = immediates[ulong.Parse(site.Str("address")![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)];
            Assert.Equal(Traps.UbsanCheckTable.Find(immediate, clang)?.Title, site.Str("message"));
        }

        // The stop report names the source the same way, with the message of one of the sites.
        var run = await CliRun.RunAsync(true, binary.Program, "mul", "65536", "65536");
        var stop = run.Json.GetProperty("stop");
        Assert.Equal(messageSource, stop.Str("messageSource"));
        Assert.Contains(stop.Str("message"), sites.Select(s => s.Str("message")));
    }

    // One `a || b` condition compiles to two branches on one line: one check, not a merged site. Two checks on two lines
    // that share a ud2 are merged. Each branch's line is the one llvm-addr2line gives for its address.
    [Theory]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O2")]
    public void BranchesOfOneConditionAreOneCheck(string variant)
    {
        const string source = """
            #include <stddef.h>
            __attribute__((noinline)) int either(const int *p, unsigned i, unsigned n) {
                if (p == NULL || i >= n) __builtin_trap();
                return p[i];
            }
            __attribute__((noinline)) int both(const int *p, unsigned i, unsigned n) {
                if (p == NULL) __builtin_trap();
                if (i >= n) __builtin_trap();
                return p[i];
            }
            int main(int argc, char **argv) {
                int a[4] = {0};
                (void)argv;
                return either(a, (unsigned)argc, 4) + both(a, (unsigned)argc, 4);
            }
            """;
        var program = Fixtures.CompileSource(source, "one_condition.c", RunReportTests.Variant(variant));
        var sites = CliRun.Traps(program, json: true).Json.Items("sites").ToList();
        foreach (var (function, lines, merged) in new[] { ("either", new[] { 3 }, false), ("both", new[] { 7, 8 }, true) })
        {
            var inFunction = sites.Where(s => s.Str("function") == function).ToList();
            var checks = inFunction.SelectMany(s => s.Items("checks")).ToList();
            Assert.Equal(lines, checks.Select(c => c.Int("line")!.Value).Distinct().Order());
            foreach (var check in checks)
            {
                var addr2line = Toolchain.Run(Toolchain.LlvmAddr2line, ["-e", program, check.Str("address")!]);
                Assert.EndsWith($":{check.Int("line")}", addr2line.Stdout.Split('\n')[0].Split(' ')[0], StringComparison.Ordinal);
            }
            // Clang shares one ud2 between both checks of a function; the merged flag follows the distinct checks.
            var shared = inFunction.Where(s => s.Int("checkCount") > 1).ToList();
            Assert.All(shared, s => Assert.Equal(merged, s.GetProperty("merged").GetBoolean()));
            Assert.All(shared, s => Assert.Equal(s.Int("checkCount"), s.Items("checks").Count()));
            Assert.Single(shared);
        }
    }

    // Without debug information the catalog still scans every function the symbol table names: the same trap sites,
    // reached by the same branches, in functions named as llvm-nm names them, with no message to tell.
    [Theory]
    [InlineData("verbose_trap_multi", "clang22-O2")]
    [InlineData("verbose_trap_multi", "clang19-O0")]
    public void AStrippedBinaryKeepsItsTrapSites(string fixture, string variant)
    {
        var binary = Fixtures.Build(fixture, RunReportTests.Variant(variant));
        var stripped = Path.Combine(Path.GetDirectoryName(binary.Program)!, Path.GetFileName(binary.Program) + ".nodebug");
        var objcopy = Toolchain.Run(Toolchain.Find("llvm-objcopy-22"), ["--strip-debug", binary.Program, stripped]);
        Assert.True(objcopy.ExitCode == 0, objcopy.Stderr);
        var full = CliRun.Traps(binary.Program, json: true).Json.Items("sites").ToList();
        var bare = CliRun.Traps(stripped, json: true).Json.Items("sites").ToList();
        Assert.Equal(full.Select(s => (s.Str("address"), s.Str("kind"), s.Int("checkCount"))), bare.Select(s => (s.Str("address"), s.Str("kind"), s.Int("checkCount"))));
        var nm = Toolchain.Run(Toolchain.LlvmNm, ["--defined-only", stripped]).Stdout.Split('\n')
            .Select(l => l.Split(' ')).Where(f => f.Length == 3 && f[1] is "T" or "t").Select(f => f[2]).ToHashSet();
        Assert.All(bare, s =>
        {
            Assert.Contains(s.Str("function") ?? "", nm);
            Assert.Null(s.Str("source"));
            Assert.Equal("none", s.Str("messageSource"));
            Assert.All(s.Items("checks"), c => Assert.Equal("none", c.Str("messageSource")));
        });
        Assert.Contains(bare, s => s.Str("function") == "transfer");
    }

    [Fact]
    public void NotAnElfFileIsOneSentence()
    {
        var path = Path.Combine(Repository.FixtureSources, "verbose_trap.c");
        var result = CliRun.Traps(path, json: true);
        Assert.Equal(1, result.Status);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("trapdbg traps: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*([0-9a-f]+):\s+ud2\s*$", RegexOptions.Multiline)]
    private static partial Regex Ud2Line();

    [GeneratedRegex(@"^\s*([0-9a-f]+):\s+ud1l\s+(?:0x([0-9a-f]+))?\(%eax\), %eax", RegexOptions.Multiline)]
    private static partial Regex Ud1Line();
}
