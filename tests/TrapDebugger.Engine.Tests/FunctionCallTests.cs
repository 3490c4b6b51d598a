using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Functions of the program called from expressions (calls.c built by clang-22 and gcc, rust_values): integer,
/// pointer, floating-point and stack arguments, structs in registers and through memory, string literals, side effects,
/// a function without debug information, a crash and an endless loop; the thread's registers are the same after every
/// call, whatever its end, and the program then runs on as it would have.</summary>
public sealed class FunctionCallTests
{
    private static async Task<(RecordedProcess Run, int FrameId)> StopAtCallsAsync(string variant)
    {
        var binary = Fixtures.Build("calls", LldbAgreementTests.Variant(variant));
        var run = await RecordedProcess.LaunchAsync(binary.Program, "7");
        var set = await run.Process.SetSourceBreakpointsAsync("calls.c", [new SourceBreakpointSpec(LibraryValueAgreementTests.SourceLine("calls.c", "// break: calls"))]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("main", frames[0].Name);
        return (run, frames[0].Id);
    }

    public static TheoryData<string, string, string> Calls()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var variant in (string[])["clang22-O0", "gcc-O0"])
        {
            data.Add(variant, "add(2, 3)", "5");
            data.Add(variant, "add(seed, local) * 2", "56");
            data.Add(variant, "sum8(1, 2, 3, 4, 5, 6, 7, 8)", "204");
            data.Add(variant, "scale(1.5, 4)", "6");
            data.Add(variant, "halve(3)", "1.5");
            data.Add(variant, "mix(1, 2.5, 3, 0.5)", "7");
            data.Add(variant, "make_pair(3, 4)", "(a = 3, b = 4)");
            data.Add(variant, "make_pair(3, 4).b", "4");
            data.Add(variant, "make_triple(5)", "(x = 5, y = 10, z = 15)");
            data.Add(variant, "make_mixed(2.5, 7)", "(d = 2.5, i = 7)");
            data.Add(variant, "pair_sum(p)", "28");
            data.Add(variant, "length_of(\"hello\")", "5");
            data.Add(variant, "length_of(greeting)", "11");
            data.Add(variant, "add(add(1, 2), add(3, 4))", "10");
            data.Add(variant, "(unsigned long)strlen(\"four\")", "4");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task CallReturnsTheFunctionsResult(string variant, string expression, string expected)
    {
        var (run, frameId) = await StopAtCallsAsync(variant);
        await using var _ = run;
        var before = await Registers(run, frameId);
        Assert.Equal(expected, (await run.Process.EvaluateAsync(expression, frameId)).Value);
        Assert.Equal(before, await Registers(run, frameId));
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("gcc-O0")]
    public async Task SideEffectsStayAndTheProgramRunsOn(string variant)
    {
        var (run, frameId) = await StopAtCallsAsync(variant);
        await using var _ = run;
        long version = run.Process.StateVersion;
        Assert.Equal("105", (await run.Process.EvaluateAsync("bump(5)", frameId)).Value);
        Assert.NotEqual(version, run.Process.StateVersion);
        Assert.Equal("105", (await run.Process.EvaluateAsync("counter", frameId)).Value);
        // A breakpoint inside the called function is passed over, as lldb does by default.
        var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("bump")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        Assert.Equal("106", (await run.Process.EvaluateAsync("bump(1)", frameId)).Value);
        await run.Process.SetFunctionBreakpointsAsync([]);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("gcc-O0")]
    public async Task CrashInTheCallIsReportedAndTheThreadRestored(string variant)
    {
        var (run, frameId) = await StopAtCallsAsync(variant);
        await using var _ = run;
        var before = await Registers(run, frameId);
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync("read_through(0)", frameId));
        Assert.Contains("the call of read_through stopped with SIGSEGV (address 0x0) in read_through (calls.c:", e.Message);
        Assert.Contains("the thread was restored", e.Message);
        Assert.Equal(before, await Registers(run, frameId));
        Assert.Equal("21", (await run.Process.EvaluateAsync("local", frameId)).Value);
        // The signal of the crash is not delivered: the program goes on to its normal end.
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    [Fact]
    public async Task EndlessCallIsInterruptedAndTheThreadRestored()
    {
        var (run, frameId) = await StopAtCallsAsync("clang22-O0");
        await using var _ = run;
        run.Process.FunctionCallTimeout = TimeSpan.FromMilliseconds(500);
        var before = await Registers(run, frameId);
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync("spin(0)", frameId));
        // Where the interruption lands names the line, unless it is one of the instructions clang gives line 0.
        Assert.Matches(@"the call of spin did not return within 500 ms; it was interrupted in spin( \(calls\.c:\d+\))? and the thread was restored", e.Message);
        Assert.Equal(before, await Registers(run, frameId));
        Assert.Equal("5", (await run.Process.EvaluateAsync("spin(5)", frameId)).Value);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "nosuch(1)", "no function named 'nosuch'" },
        { "add(1)", "add takes 2 arguments, not 1" },
        { "add(1, 2, 3)", "add takes 2 arguments, not 3" },
        { "pair_sum(1)", "argument 1 of pair_sum has type 'int', but the parameter is" },
        { "strlen(\"x\")", "cast the call to its declared return type" },
        { "(1)(2)", "only a function of the program" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task CallsThatCannotBeMadeSayWhy(string expression, string fragment)
    {
        var (run, frameId) = await StopAtCallsAsync("clang22-O0");
        await using var _ = run;
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync(expression, frameId));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public async Task HoverNeverRunsCodeOrAssigns()
    {
        var (run, frameId) = await StopAtCallsAsync("clang22-O0");
        await using var _ = run;
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync("bump(1)", frameId, allowSideEffects: false));
        Assert.Contains("would change the program", e.Message);
        e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.EvaluateAsync("local = 1", frameId, allowSideEffects: false));
        Assert.Contains("would change the program", e.Message);
        Assert.Equal("100", (await run.Process.EvaluateAsync("counter", frameId)).Value);
        Assert.Equal("21", (await run.Process.EvaluateAsync("local", frameId)).Value);
    }

    [Fact]
    public async Task RustFunctionIsCalled()
    {
        var binary = Fixtures.Build("rust_values", BuildVariant.RustcDebug);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "values");
        await run.Process.SetSourceBreakpointsAsync("rust_values.rs", [new SourceBreakpointSpec(LibraryValueAgreementTests.SourceLine("rust_values.rs", "// break: values"))]);
        var stop = await run.ContinueToStopAsync();
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("5", (await run.Process.EvaluateAsync("rust_add(2, 3)", frames[0].Id)).Value);
        Assert.Equal("8", (await run.Process.EvaluateAsync("rust_add(numbers[2], some_number.unwrap())", frames[0].Id)).Value);
    }

    private static async Task<string> Registers(RecordedProcess run, int frameId)
    {
        var values = new List<string>();
        foreach (var r in (string[])["$rip", "$rsp", "$rbp", "$rax", "$rbx", "$rcx", "$rdx", "$rsi", "$rdi", "$r8", "$r9", "$r10", "$r11", "$r12", "$r13", "$r14", "$r15", "$rflags", "$xmm0", "$xmm1", "$xmm7"])
            values.Add((await run.Process.EvaluateAsync(r, frameId)).Value);
        return string.Join(' ', values);
    }
}
