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
}
