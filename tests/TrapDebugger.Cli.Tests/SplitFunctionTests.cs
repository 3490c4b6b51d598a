using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>A trap GCC moved into the function's cold part (<c>f.cold</c>, in .text.unlikely) is reached by branches that stayed in
/// the hot part: <c>trapdbg traps</c> lists them as its checks and <c>trapdbg run</c> ranks the one that fired first, with DWARF
/// (DW_AT_ranges names both parts) and with only the symbol table (<c>f.cold</c> belongs to <c>f</c>).</summary>
public sealed partial class SplitFunctionTests
{
    private const string Source = """
        #include <stddef.h>
        #include <stdlib.h>
        #include <string.h>

        __attribute__((noinline)) int f(const int *p, unsigned i, unsigned n)
        {
            if (p == NULL)
                __builtin_trap();
            if (i >= n)
                __builtin_trap();
            return p[i];
        }

        int main(int argc, char **argv)
        {
            int a[4] = {0};
            const int *p = argc > 2 && strcmp(argv[2], "null") == 0 ? NULL : a;
            return f(p, (unsigned)atoi(argv[1]), 4);
        }
        """;

    private static readonly Dictionary<string, int> CheckLines = new()
    {
        ["null"] = LineOf("if (p == NULL)"),
        ["range"] = LineOf("if (i >= n)"),
    };

    private static int LineOf(string text) => Array.FindIndex(Source.Split('\n'), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    /// <summary>The program built with GCC -O2, with DWARF ("-g") or with only the symbol table ("-g0"); GCC's code does not depend on -g.</summary>
    private static string Build(string debug) => Fixtures.CompileSource(Source, "cold_split.c", BuildVariant.GccO2, debug);

    /// <summary>What llvm-objdump shows: the trap instructions of <c>f.cold</c> and the conditional branches of <c>f</c> into <c>f.cold</c>.</summary>
    private static (List<ulong> Traps, List<ulong> Branches) Objdump(string program)
    {
        var text = Toolchain.Run(Toolchain.LlvmObjdump, ["-d", "--no-show-raw-insn", program]).Stdout;
        var traps = new List<ulong>();
        var branches = new List<ulong>();
        string? function = null;
        foreach (var line in text.Split('\n'))
        {
            if (FunctionHeader().Match(line) is { Success: true } header)
            {
                function = header.Groups[1].Value;
                continue;
            }
            if (Instruction().Match(line) is not { Success: true } m) continue;
            var address = ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (function == "f.cold" && m.Groups[2].Value == "ud2") traps.Add(address);
            if (function == "f" && m.Groups[2].Value.StartsWith('j') && m.Groups[2].Value != "jmp" && line.Contains("<f.cold", StringComparison.Ordinal))
                branches.Add(address);
        }
        return (traps, branches);
    }

    [Theory]
    [InlineData("-g")]
    [InlineData("-g0")]
    public void TheColdTrapListsTheBranchesOfTheHotPart(string debug)
    {
        var program = Build(debug);
        var (traps, branches) = Objdump(program);
        Assert.Single(traps);
        Assert.Equal(2, branches.Count);

        var result = CliRun.Traps(program, json: true);
        Assert.True(result.Status == 0, result.Error);
        var site = Assert.Single(result.Json.Items("sites"));
        Assert.Equal(traps[0], Address(site));
        Assert.Equal(2, site.Int("checkCount"));
        var checks = site.Items("checks").ToList();
        Assert.Equal(branches, checks.Select(Address).Order());
        if (debug == "-g0")
        {
            Assert.Equal("f.cold", site.Str("function"));
            return;
        }
        Assert.Equal("f", site.Str("function"));
        Assert.True(site.GetProperty("merged").GetBoolean());
        foreach (var check in checks)
        {
            // llvm-addr2line's line for the branch address is the check's line.
            var addr2line = Toolchain.Run(Toolchain.LlvmAddr2line, ["-e", program, check.Str("address")!]).Stdout.Trim();
            Assert.EndsWith($"cold_split.c:{check.Int("line")}", addr2line, StringComparison.Ordinal);
            Assert.Equal("cold_split.c", check.GetProperty("source").Str("name"));
        }
        Assert.Equal(CheckLines.Values.Order(), checks.Select(c => c.Int("line")!.Value).Order());
    }

    public static TheoryData<string, string> RunCases() => new()
    {
        { "-g", "null" }, { "-g", "range" }, { "-g0", "null" }, { "-g0", "range" },
    };

    [Theory]
    [MemberData(nameof(RunCases))]
    public async Task TheCheckThatFiredRanksFirst(string debug, string input)
    {
        var program = Build(debug);
        string[] args = input == "null" ? ["1", "null"] : ["9"];
        var result = await CliRun.RunAsync(json: true, program, args);
        Assert.Equal(128 + 4, result.Status);
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("merged-trap", stop.Str("kind"));
        var origins = stop.Items("origins").ToList();
        Assert.Equal(2, origins.Count);
        Assert.Equal(1, origins[0].Int("rank"));
        Assert.Equal("holds", origins[0].Str("condition"));
        Assert.Equal("doesNotHold", origins[1].Str("condition"));

        // The branch expected first: the check on the input's line, as llvm-addr2line places the branches of the -g build (the
        // same code as the -g0 build); its file address is the run-time one less the load bias seen at the trap.
        var withLines = Build("-g");
        var expected = Objdump(withLines).Branches.Single(b =>
            Toolchain.Run(Toolchain.LlvmAddr2line, ["-e", withLines, $"0x{b:x}"]).Stdout.Trim().EndsWith($":{CheckLines[input]}", StringComparison.Ordinal));
        var bias = Address(stop) - Objdump(program).Traps.Single();
        Assert.Equal(expected, Address(origins[0]) - bias);
        if (debug == "-g")
        {
            Assert.Equal(CheckLines[input], origins[0].GetProperty("location").Int("line"));
            Assert.Equal(CheckLines[input], stop.GetProperty("landing").Int("line"));
        }
    }

    private static ulong Address(JsonElement e) => ulong.Parse(e.Str("address")![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[0-9a-f]+ <([^>]+)>:$")]
    private static partial Regex FunctionHeader();

    [GeneratedRegex(@"^\s+([0-9a-f]+):\s+(\S+)")]
    private static partial Regex Instruction();
}
