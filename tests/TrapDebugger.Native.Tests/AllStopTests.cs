using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Tests;

/// <summary>The all-stop model with 33 threads: every stop stops everyone, nothing is lost or reported twice.</summary>
public class AllStopTests
{
    private static async Task<TraceeProcess> StartThreads(string program)
    {
        var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["600"] });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        // Wait until all 32 workers exist.
        var deadline = DateTime.UtcNow + Tracee.Timeout;
        while (p.ThreadIds.Count < 33 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(33, p.ThreadIds.Count);
        return p;
    }

    [Fact]
    public async Task A_33_thread_program_is_paused_and_resumed_1000_times_with_every_stop_accounted_for()
    {
        var program = Programs.Build(Programs.ThreadsSource, "threads");
        await using var p = await StartThreads(program);
        var counters = Symbols.RuntimeAddress(p.Pid, program, "counters");
        var before = ReadCounters(p, counters);
        for (var i = 0; i < 1000; i++)
        {
            await p.PauseAsync();
            var stop = await Tracee.NextStop(p);
            Assert.Equal(StopReason.Pause, stop.Reason);
            Assert.Equal(0, stop.PendingStops);
            if (i % 100 == 0)
            {
                // Every thread is in a ptrace-stop while the stop is reported.
                foreach (var tid in p.ThreadIds)
                    Assert.Equal('t', ProcFs.ThreadStatus(p.Pid, tid)!.State);
            }
            await p.ContinueAsync();
        }
        Assert.Equal(33, p.ThreadIds.Count);
        // No event other than the 1000 stops was queued (no stop doubled, no stray thread event).
        await Task.Delay(50);
        Assert.False(p.Events.TryRead(out var extra), $"unexpected event {extra}");
        var after = ReadCounters(p, counters);
        Assert.All(Enumerable.Range(0, 32), i => Assert.True(after[i] > before[i], $"worker {i} made no progress"));
        await p.KillAsync();
        Assert.Equal(9, Assert.IsType<ProcessKilled>(await Tracee.End(p)).Signal);
    }

    [Fact]
    public async Task Breakpoint_hits_on_many_threads_are_each_reported_once()
    {
        var program = Programs.Build(Programs.ThreadsSource, "threads");
        await using var p = await StartThreads(program);
        await p.PauseAsync();
        await Tracee.NextStop(p);
        var hit = Symbols.RuntimeAddress(p.Pid, program, "hit");
        var counters = Symbols.RuntimeAddress(p.Pid, program, "counters");
        await p.InsertBreakpointAsync(hit);
        var perThread = new Dictionary<int, int>();
        var argOfThread = new Dictionary<int, ulong>();
        var sawPending = false;
        const int stops = 400;
        for (var i = 0; i < stops; i++)
        {
            await p.ContinueAsync();
            var stop = await Tracee.NextStop(p);
            Assert.Equal((StopReason.Breakpoint, hit), (stop.Reason, stop.Address));
            sawPending |= stop.PendingStops > 0;
            var regs = await p.GetRegistersAsync(stop.ThreadId);
            Assert.Equal(hit, regs.Rip);
            // A thread always calls hit() with its own index: the same thread never reports another's argument.
            if (argOfThread.TryGetValue(stop.ThreadId, out var arg)) Assert.Equal(arg, regs.Rdi);
            else argOfThread[stop.ThreadId] = regs.Rdi;
            perThread[stop.ThreadId] = perThread.GetValueOrDefault(stop.ThreadId) + 1;
        }
        await p.RemoveBreakpointAsync(hit);
        // Each reported hit is one call of hit(): the counters (bumped inside hit after the breakpoint) advance by
        // at least the number of hits reported for each worker, and the pending hits dropped at removal never ran
        // twice. Compare after the remaining pending stops were discarded by the removal.
        var snapshot = ReadCounters(p, counters);
        foreach (var (tid, count) in perThread)
        {
            var index = (int)argOfThread[tid];
            Assert.True(snapshot[index] >= (ulong)count - 1, $"thread {tid} reported {count} hits but counted {snapshot[index]} calls");
        }
        Assert.True(perThread.Count > 1, "only one thread ever hit the breakpoint");
        Assert.True(sawPending, "no stop ever had other threads' hits pending; the concurrency was not exercised");
        Assert.Equal(perThread.Count, argOfThread.Values.Distinct().Count());
        await p.KillAsync();
    }

    private static ulong[] ReadCounters(TraceeProcess p, ulong address)
    {
        var raw = new byte[32 * 8];
        Assert.Equal(raw.Length, p.Read(address, raw));
        return Enumerable.Range(0, 32).Select(i => BitConverter.ToUInt64(raw, i * 8)).ToArray();
    }
}
