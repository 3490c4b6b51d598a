using System.Security.Cryptography;
using System.Text;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Expressions and breakpoint conditions find globals and statics of any compile unit of any module, by plain or
/// qualified name, and data symbols that have no DWARF; the Globals scope lists the current unit's. Compared with
/// <c>lldb-22 -b</c>.</summary>
public sealed class GlobalVariableTests
{
    private const string MainSource = """
        #include <cstdio>
        extern "C" int lib_step(void);
        namespace config { int level = 3; }
        struct Registry { static int count; };
        int Registry::count = 12;
        int shared_counter = 41;
        static int file_static = 5;
        int other_unit();
        __asm__(".data\n.globl nodebug_value\n.type nodebug_value,@object\n.size nodebug_value,8\n.p2align 3\nnodebug_value:\n.quad 0x1122334455667788\n.text\n");
        int main() {
          int total = 0;
          for (int i = 0; i < 4; i++) {
            total += lib_step();
          }
          std::printf("%d %d %d %d %d\n", total, shared_counter, file_static, other_unit(), config::level + Registry::count);
          return 0;
        }
        """;

    private const string OtherSource = """
        static int file_static = 9;
        struct Quantity { int a; long b; };
        Quantity other_global = {77, -3};
        namespace config { long limit = 1000; namespace deep { const char *label = "deep-label"; } }
        namespace { int hidden_counter = 64; }
        int other_unit() { return file_static + other_global.a + hidden_counter + (int)config::limit + config::deep::label[0]; }
        """;

    private const string LibrarySource = """
        int lib_calls = 0;
        static double lib_ratio = 2.5;
        int lib_step(void) { lib_calls++; return lib_calls + (int)lib_ratio; }
        """;

    private static readonly string[] Expressions =
    [
        "i", "total", "shared_counter", "file_static", "config::level", "Registry::count", "other_global", "other_global.b",
        "config::limit", "config::deep::label", "hidden_counter", "lib_calls", "lib_ratio", "nodebug_value", "(long long)nodebug_value",
        "::shared_counter", "lib_calls * 10 + config::level",
    ];

    private static int LoopLine => MainSource.Split('\n').ToList().FindIndex(l => l.Contains("total += lib_step()", StringComparison.Ordinal)) + 1;

    private static string Build(BuildVariant variant)
    {
        var library = Fixtures.CompileSource(LibrarySource, "libglobalvars.c", variant, "-shared", "-fPIC");
        // The second unit is passed to the compiler as a file; its name carries its hash so the build cache sees changes.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OtherSource)))[..16];
        var other = Path.Combine(Repository.FixtureCache, $"global-other-{hash}.cpp");
        using (CacheLock.Acquire(other))
        {
            if (!File.Exists(other)) File.WriteAllText(other, OtherSource);
        }
        return Fixtures.CompileSource(MainSource, "globalvars.cpp", variant, other, library);
    }

    private static async Task<(RecordedProcess Run, int FrameId)> StopInLoopAsync(string program, string condition)
    {
        var run = await RecordedProcess.LaunchAsync(program);
        var set = await run.Process.SetSourceBreakpointsAsync("globalvars.cpp", [new SourceBreakpointSpec(LoopLine, Condition: condition)]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("main", frames[0].Name);
        return (run, frames[0].Id);
    }

    public static TheoryData<string> Variants() => new() { "clang22-O0", "gcc-O0" };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task GlobalsOfEveryUnitAndModuleAgreeWithLldb(string variant)
    {
        var program = Build(LldbAgreementTests.Variant(variant));
        // The condition reads a global of the shared library: the stop is the third pass (lib_calls == 2 before the call).
        const string condition = "lib_calls == 2 && config::limit == 1000";
        var lldb = LldbSession.Run(program, $"breakpoint set -f globalvars.cpp -l {LoopLine} -c \"{condition}\"", Expressions.Select(e => "p " + e));
        var printed = lldb.Where(s => s.Command.StartsWith("p ", StringComparison.Ordinal)).ToDictionary(s => s.Command[2..], s => LldbSession.PrintedValue(s.Lines));
        Assert.Equal("2", printed["i"]);

        var (run, frameId) = await StopInLoopAsync(program, condition);
        await using var _ = run;
        var problems = new List<string>();
        foreach (var e in Expressions)
        {
            string got;
            try
            {
                got = (await run.Process.EvaluateAsync(e, frameId)).Value;
            }
            catch (ExpressionException x)
            {
                got = "error: " + x.Message;
            }
            if (got != printed[e]) problems.Add($"{e} = '{got}' != lldb '{printed[e]}'");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} of {Expressions.Length} disagree with lldb:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task GlobalsScopeListsTheCurrentUnitOnlyAndSymbolsWithoutDwarfSayHaveNoType()
    {
        var (run, frameId) = await StopInLoopAsync(Build(BuildVariant.Clang22O0), "i == 1");
        await using var _ = run;
        var scopes = await run.Process.GetScopesAsync(frameId);
        var rows = run.Process.GetVariables(scopes[2].VariablesReference);
        var globals = rows.Select(v => v.Name).ToList();
        Assert.Contains("shared_counter", globals);
        Assert.Contains("config::level", globals);
        Assert.Equal("5", rows.Single(r => r.Name == "file_static").Value);
        Assert.DoesNotContain("other_global", globals);
        Assert.DoesNotContain("hidden_counter", globals);
        Assert.DoesNotContain("lib_calls", globals);

        var nodebug = await run.Process.EvaluateAsync("nodebug_value", frameId);
        Assert.Equal("<no type information>", nodebug.Type);
        var cast = await run.Process.EvaluateAsync("*(long long *)&nodebug_value", frameId);
        Assert.Equal("1234605616436508552", cast.Value);
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync("no_such_global_anywhere", frameId));
        Assert.Contains("no variable named 'no_such_global_anywhere'", e.Message);
    }
}
