using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>A program that execs another: the old modules and breakpoint sites go, the new program and its shared
/// libraries come, and breakpoints pending for the new program resolve and hit.</summary>
public sealed class ExecTests
{
    private const string LauncherSource = """
        #include <stdio.h>
        #include <unistd.h>

        int main(int argc, char **argv) {
            if (argc < 2)
                return 2;
            execv(argv[1], &argv[1]);
            perror("execv");
            return 1;
        }
        """;

    private const string TargetSource = """
        #include <stdio.h>
        #include <string.h>

        static int measure(const char *s) {
            return (int)strlen(s) * 2;
        }

        int main(int argc, char **argv) {
            int n = measure(argv[0]);
            printf("%d\n", n);
            return 0;
        }
        """;

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task ABreakpointInTheExecutedProgramResolvesAndHits(string variantName)
    {
        var variant = variantName == "gcc" ? BuildVariant.GccO0 : BuildVariant.Clang22O0;
        var launcher = Fixtures.CompileSource(LauncherSource, "exec_launcher.c", variant);
        var target = Fixtures.CompileSource(TargetSource, "exec_target.c", variant);
        await using var run = await RecordedProcess.LaunchAsync(launcher, target);
        var changed = new List<(int Id, bool Verified)>();
        run.Process.Event += e =>
        {
            if (e is BreakpointChangedEvent c) lock (changed) changed.Add((c.Breakpoint.Id, c.Breakpoint.IsVerified));
        };

        var before = await run.Process.SetSourceBreakpointsAsync("exec_launcher.c", [new SourceBreakpointSpec(7)]);
        Assert.True(before[0].IsVerified, before[0].Message);
        var pending = await run.Process.SetSourceBreakpointsAsync("exec_target.c", [new SourceBreakpointSpec(5)]);
        Assert.False(pending[0].IsVerified);
        var function = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("measure")]);
        Assert.False(function[0].IsVerified);

        var atExecv = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Breakpoint, atExecv.Cause);

        var exec = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Exec, exec.Cause);
        Assert.Equal(target, run.Process.ProgramPath);
        Assert.Equal(target, run.Process.Target.MainProgram?.Path);
        Assert.DoesNotContain(run.Process.Target.Modules, m => m.Path == launcher);
        // The launcher's breakpoint has no site in the new program; the new program's are resolved.
        Assert.Empty(before[0].Locations);
        lock (changed)
        {
            Assert.Contains((before[0].Id, false), changed);
            Assert.Contains((pending[0].Id, true), changed);
        }
        Assert.True(pending[0].IsVerified, pending[0].Message);
        Assert.True(function[0].IsVerified, function[0].Message);

        // measure's body is one line: the function breakpoint (after the prologue) and the line breakpoint share the site.
        var hit = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Breakpoint, hit.Cause);
        Assert.Equal([pending[0].Id, function[0].Id], hit.HitBreakpointIds.Order());
        var (frames, _) = await run.Process.GetStackTraceAsync(hit.ThreadId, 0, 2);
        Assert.Equal(("measure", 5), (frames[0].Name, (int)frames[0].Location!.Line));
        Assert.Equal(("main", 9), (frames[1].Name, (int)frames[1].Location!.Line));
        Assert.EndsWith("exec_target.c", frames[0].Location!.File, StringComparison.Ordinal);
        // The dynamic loader of the new program reported its libraries.
        Assert.Contains(run.Process.Target.Modules, m => m.Name == "libc.so.6");
        Assert.Contains(run.Process.Target.Modules, m => m.Name == "[vdso]");

        var s = await run.Process.EvaluateAsync("s", frames[0].Id);
        Assert.Contains($"\"{target}\"", s.Value, StringComparison.Ordinal);

        await run.Process.SetSourceBreakpointsAsync("exec_target.c", []);
        await run.Process.SetFunctionBreakpointsAsync([]);
        await run.Process.ContinueAsync();
        var exit = await run.ExitAsync();
        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public async Task SteppingOverTheExecCallStopsAtTheExecAndTheNewProgramRunsOn()
    {
        var launcher = Fixtures.CompileSource(LauncherSource, "exec_launcher.c", BuildVariant.Clang22O0);
        var target = Fixtures.CompileSource(TargetSource, "exec_target.c", BuildVariant.Clang22O0);
        await using var run = await RecordedProcess.LaunchAsync(launcher, target);
        await run.Process.SetSourceBreakpointsAsync("exec_launcher.c", [new SourceBreakpointSpec(7)]);
        var atExecv = await run.ContinueToStopAsync();
        await run.Process.SetSourceBreakpointsAsync("exec_launcher.c", []);
        var inTarget = await run.Process.SetSourceBreakpointsAsync("exec_target.c", [new SourceBreakpointSpec(10)]);

        // The step's temporary breakpoint on execv's return address vanished with the old program.
        await run.Process.StepAsync(atExecv.ThreadId, StepKind.Over);
        var exec = await run.NextStopAsync();
        Assert.Equal(StopCause.Exec, exec.Cause);
        lock (run.Output) Assert.DoesNotContain(run.Output, o => o.Contains("failed", StringComparison.Ordinal));
        Assert.True(inTarget[0].IsVerified, inTarget[0].Message);

        var hit = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Breakpoint, hit.Cause);
        var (frames, _) = await run.Process.GetStackTraceAsync(hit.ThreadId, 0, 1);
        Assert.Equal(("main", 10), (frames[0].Name, (int)frames[0].Location!.Line));
    }

    public static TheoryData<string> Variants() => new() { "clang", "gcc" };
}
