using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Steps through cxx_program line by line (over, into, out) and compares the lines reached with the source's order.</summary>
public sealed class SteppingTests
{
    private static async Task<(RecordedProcess Run, StopInfo Stop)> StartAtAsync(BuildVariant variant, int line, params string[] args)
    {
        var binary = Fixtures.Build("cxx_program", variant);
        var run = await RecordedProcess.LaunchAsync(binary.Program, args);
        var set = await run.Process.SetSourceBreakpointsAsync("cxx_program.cpp", [new SourceBreakpointSpec(line)]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Breakpoint, stop.Cause);
        // Only the first hit matters; later steps must not stop on it again.
        await run.Process.SetSourceBreakpointsAsync("cxx_program.cpp", []);
        return (run, stop);
    }

    private static async Task<(string Function, int Line)> StepAsync(RecordedProcess run, int thread, StepKind kind)
    {
        await run.Process.StepAsync(thread, kind);
        var stop = await run.NextStopAsync();
        Assert.Equal(StopCause.Step, stop.Cause);
        var (frames, _) = await run.Process.GetStackTraceAsync(thread, 0, 1);
        return (frames[0].Name, (int)(frames[0].Location?.Line ?? 0));
    }

    [Fact]
    public async Task StepOverWalksMainLineByLine()
    {
        var (run, stop) = await StartAtAsync(BuildVariant.Clang22O0, 110, "1");
        await using var _ = run;
        var lines = new List<int>();
        for (int i = 0; i < 4; i++) lines.Add((await StepAsync(run, stop.ThreadId, StepKind.Over)).Line);
        Assert.Equal([111, 112, 113, 114], lines);
    }

    [Fact]
    public async Task StepOverFollowsTheLoop()
    {
        var (run, stop) = await StartAtAsync(BuildVariant.Clang22O0, 107, "1");
        await using var _ = run;
        var lines = new List<int>();
        for (int i = 0; i < 4; i++) lines.Add((await StepAsync(run, stop.ThreadId, StepKind.Over)).Line);
        // add(item), the closing brace (item's destructor runs there), the loop increment, the next iteration's body.
        Assert.Equal([108, 109, 101, 102], lines);
    }

    [Fact]
    public async Task StepIntoAndOutOfARecursiveCall()
    {
        var (run, stop) = await StartAtAsync(BuildVariant.Clang22O0, 113, "1");
        await using var _ = run;
        var into = await StepAsync(run, stop.ThreadId, StepKind.Into);
        Assert.Equal(("warehouse::walk", 85), into);
        Assert.Equal(86, (await StepAsync(run, stop.ThreadId, StepKind.Over)).Line);
        Assert.Equal(90, (await StepAsync(run, stop.ThreadId, StepKind.Over)).Line);
        Assert.Equal(91, (await StepAsync(run, stop.ThreadId, StepKind.Over)).Line);
        // Into the recursive call (depth 0), then out of it back to the caller's line.
        var inner = await StepAsync(run, stop.ThreadId, StepKind.Into);
        Assert.Equal(("warehouse::walk", 85), inner);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 3);
        Assert.Equal("warehouse::walk", frames[1].Name);
        var back = await StepAsync(run, stop.ThreadId, StepKind.Out);
        Assert.Equal(("warehouse::walk", 91), back);
        var (after, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 2);
        Assert.Equal("main", after[1].Name);
        // Stepping over the rest of the recursion returns to main at the call's line.
        var lines = new List<(string, int)>();
        for (int i = 0; i < 3; i++) lines.Add(await StepAsync(run, stop.ThreadId, StepKind.Over));
        Assert.Contains(("main", 113), lines);
    }

    [Fact]
    public async Task StepOverARecursiveCallStaysInTheSameFrame()
    {
        var (run, stop) = await StartAtAsync(BuildVariant.Clang22O0, 91, "3");
        await using var _ = run;
        // The breakpoint is hit first at depth 3; stepping over the recursion must come back to depth 3, not stop deeper.
        var (before, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        var next = await StepAsync(run, stop.ThreadId, StepKind.Over);
        var (after, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        Assert.Equal("warehouse::walk", next.Function);
        Assert.True(next.Line is 91 or 92, $"line {next.Line}");
        Assert.Equal(before.Count, after.Count);
    }

    [Fact]
    public async Task InlinedFunctionBreakpointAndStepOutOfTheInlinedFrame()
    {
        var binary = Fixtures.Build("cxx_program", BuildVariant.Clang22O2);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "1");
        var set = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("warehouse::detail::weight_of")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.FunctionBreakpoint, stop.Cause);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 3);
        Assert.Equal("warehouse::detail::weight_of", frames[0].Name);
        Assert.True(frames[0].IsInlined);
        Assert.Equal(43, (int)frames[0].Location!.Line);
        Assert.Equal("warehouse::walk", frames[1].Name);
        Assert.Equal(88, (int)frames[1].Location!.Line);
        Assert.Equal(frames[0].Pc, frames[1].Pc);
        await run.Process.SetFunctionBreakpointsAsync([]);
        await run.Process.StepAsync(stop.ThreadId, StepKind.Out);
        await run.NextStopAsync();
        var (after, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 2);
        Assert.Equal("warehouse::walk", after[0].Name);
        Assert.False(after[0].IsInlined);
    }

    [Fact]
    public async Task InstructionStepMovesThePc()
    {
        var (run, stop) = await StartAtAsync(BuildVariant.Clang22O0, 112, "1");
        await using var _ = run;
        var (before, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        await run.Process.StepAsync(stop.ThreadId, StepKind.Instruction);
        await run.NextStopAsync();
        var (after, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.NotEqual(before[0].Pc, after[0].Pc);
        Assert.Equal("main", after[0].Name);
    }
}
