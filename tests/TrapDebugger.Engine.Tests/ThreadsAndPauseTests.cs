using TrapDebugger.Engine.Events;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>All-stop behaviour with many threads: a trap in one worker, and a pause of a running multi-threaded service.</summary>
public sealed class ThreadsAndPauseTests
{
    [Fact]
    public async Task TrapInOneOf32ThreadsStopsTheProcessWithThatThreadSelected()
    {
        var binary = Fixtures.Build("threads32", BuildVariant.Clang22O0);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "trap");
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Exception, stop.Cause);
        Assert.NotEqual(run.Process.ProcessId, stop.ThreadId);
        var threads = run.Process.Threads;
        Assert.True(threads.Count >= 2, $"{threads.Count} threads");
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        // A worker's stack ends in the thread start, never in main.
        Assert.DoesNotContain(frames, f => f.Name == "main");
        Assert.Contains(frames, f => f.Name.Contains("start_thread", StringComparison.Ordinal));
        // Every other thread can be unwound while stopped.
        foreach (var t in threads)
        {
            var (tf, total) = await run.Process.GetStackTraceAsync(t.Id, 0, 5);
            Assert.True(total > 0);
            Assert.NotEmpty(tf);
        }
    }

    [Fact]
    public async Task PauseStopsARunningServiceAndContinueResumesIt()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O0);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "60000");
        await run.Process.ContinueAsync();
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await run.Process.PauseAsync();
        var stop = await run.NextStopAsync();
        Assert.Equal(StopCause.Pause, stop.Cause);
        Assert.True(run.Process.IsStopped);
        foreach (var t in run.Process.Threads)
        {
            var (frames, _) = await run.Process.GetStackTraceAsync(t.Id);
            Assert.NotEmpty(frames);
        }
        await run.Process.ContinueAsync();
        await Task.Delay(100, TestContext.Current.CancellationToken);
        await run.Process.PauseAsync();
        Assert.Equal(StopCause.Pause, (await run.NextStopAsync()).Cause);
        await run.Process.TerminateAsync();
        Assert.True(run.Process.HasExited);
    }

    [Fact]
    public async Task APauseRightAfterAContinueIsNeverLost()
    {
        // ContinueAsync returns before its run loop has resumed the native process; a pause issued at once used to reach
        // the native layer while it was still stopped (where a pause does nothing), and the resume then ran unchecked.
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "60000");
        for (var i = 0; i < 40; i++)
        {
            await run.Process.ContinueAsync();
            if (i % 2 == 1) await Task.Delay(i % 3, TestContext.Current.CancellationToken);
            await run.Process.PauseAsync();
            var stop = await run.NextStopAsync().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(StopCause.Pause, stop.Cause);
            Assert.True(run.Process.IsStopped);
        }
        await run.Process.TerminateAsync();
        Assert.True(run.Process.HasExited);
    }

    [Fact]
    public async Task ProgramExitIsReported()
    {
        var binary = Fixtures.Build("verbose_trap", BuildVariant.Clang22O0);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "1");
        await run.Process.ContinueAsync();
        var exit = await run.ExitAsync();
        Assert.Equal(0, exit.ExitCode);
        Assert.True(run.Process.HasExited);
    }
}
