using System.Diagnostics;
using TrapDebugger.Native.Proc;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Native.Tests;

/// <summary>Pausing an attached multi-threaded service at arbitrary moments after a resume: every pause ends in a
/// reported stop, whatever the service's threads were doing.</summary>
public class PauseStressTests
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);

    private static int StartForeign(string program, params string[] args)
    {
        var quoted = string.Join(' ', new[] { program }.Concat(args).Select(a => $"'{a}'"));
        var r = Toolchain.Run("/bin/sh", ["-c", $"{quoted} >/dev/null 2>&1 & echo $!"]);
        return int.Parse(r.Stdout.Trim());
    }

    private static async Task KillForeign(int pid)
    {
        try { Process.GetProcessById(pid).Kill(); }
        catch (ArgumentException) { return; }
        var deadline = DateTime.UtcNow + Tracee.Timeout;
        while (ProcFs.Status(pid) is { State: not 'Z' } && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    private static async Task<ProcessStopped> StopWithin(TraceeProcess p, string what)
    {
        using var cts = new CancellationTokenSource(StopWait);
        while (true)
        {
            TargetEvent e;
            try { e = await p.Events.ReadAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                var states = string.Join(", ", p.ThreadIds.Select(t => $"{t}:{ProcFs.ThreadStatus(p.Pid, t)?.State}"));
                throw new TimeoutException($"{what}: no stop within {StopWait.TotalSeconds:0} s (threads {states})");
            }
            if (e is ProcessStopped s) return s;
            Assert.False(e is ProcessExited or ProcessKilled or ProcessDetached, $"{what}: the process ended ({e})");
        }
    }

    private static async Task<(int Pid, string Program)> StartService()
    {
        var program = Fixtures.Build("service", BuildVariant.Clang22O2).Program;
        var pid = StartForeign(program, "60000");
        var deadline = DateTime.UtcNow + Tracee.Timeout;
        while (ProcFs.Tasks(pid).Count < 5 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(5, ProcFs.Tasks(pid).Count);
        return (pid, program);
    }

    [Fact]
    public async Task Two_hundred_pauses_of_a_running_attached_service_each_end_in_a_pause_stop()
    {
        var (pid, _) = await StartService();
        var random = new Random(20261123);
        try
        {
            await using var p = await TraceeProcess.AttachAsync(pid);
            Assert.Equal(StopReason.Attach, (await StopWithin(p, "attach")).Reason);
            for (var i = 0; i < 200; i++)
            {
                var delay = random.Next(0, 4);
                if (delay == 0)
                {
                    // Both requests queued at once: the pause runs right after the resume on the tracer thread.
                    var resume = p.ContinueAsync();
                    await p.PauseAsync();
                    await resume;
                }
                else
                {
                    await p.ContinueAsync();
                    await Task.Delay(random.Next(0, 3 * delay));
                    await p.PauseAsync();
                }
                var stop = await StopWithin(p, $"pause {i}");
                Assert.Equal(StopReason.Pause, stop.Reason);
                Assert.All(p.ThreadIds, tid => Assert.Equal('t', ProcFs.ThreadStatus(pid, tid)!.State));
            }
            await p.DetachAsync();
            Assert.IsType<ProcessDetached>(await Tracee.End(p));
            Assert.Equal(0, ProcFs.Status(pid)!.TracerPid);
        }
        finally
        {
            await KillForeign(pid);
        }
    }

    [Fact]
    public async Task Pauses_land_while_a_breakpoint_is_stepped_over_on_every_request()
    {
        var (pid, program) = await StartService();
        var random = new Random(7);
        try
        {
            await using var p = await TraceeProcess.AttachAsync(pid);
            await StopWithin(p, "attach");
            var handle = Symbols.RuntimeAddress(pid, program, "handle_request");
            var hits = 0;
            var pauses = 0;
            // Every request stops all threads at the int3; each resume steps its worker over it while the others wait,
            // and the pause may land before, during or after that step.
            await p.InsertBreakpointAsync(handle);
            for (var i = 0; i < 100; i++)
            {
                await p.ContinueAsync();
                await Task.Delay(random.Next(0, 6));
                await p.PauseAsync();
                var stop = await StopWithin(p, $"pause {i}");
                // A hit reported before the pause arrived leaves the pause nothing to stop.
                Assert.Contains(stop.Reason, new[] { StopReason.Pause, StopReason.Breakpoint });
                var regs = await p.GetRegistersAsync(stop.ThreadId);
                if (stop.Reason == StopReason.Breakpoint)
                {
                    hits++;
                    Assert.Equal((handle, handle), (stop.Address, regs.Rip));
                }
                else
                {
                    pauses++;
                    // No thread was left sitting past the int3 with the original byte restored or the breakpoint doubled.
                    Assert.NotEqual(handle + 1, regs.Rip);
                }
            }
            Assert.True(hits > 10, $"only {hits} breakpoint hits: the step-over path was not exercised");
            Assert.True(pauses > 0, "no pause landed: every stop was a breakpoint hit");
            await p.DetachAsync();
            Assert.IsType<ProcessDetached>(await Tracee.End(p));
            Assert.Equal(Symbols.FileBytesAt(pid, program, handle, 16), ReadUntraced(pid, handle, 16));
        }
        finally
        {
            await KillForeign(pid);
        }
    }

    [Fact]
    public async Task Detaching_right_after_a_resume_stops_and_releases_the_service_every_time()
    {
        var (pid, _) = await StartService();
        var random = new Random(11);
        try
        {
            for (var i = 0; i < 50; i++)
            {
                await using var p = await TraceeProcess.AttachAsync(pid);
                await StopWithin(p, $"attach {i}");
                await p.ContinueAsync();
                await Task.Delay(random.Next(0, 4));
                await p.DetachAsync().WaitAsync(StopWait);
                Assert.IsType<ProcessDetached>(await Tracee.End(p));
                Assert.Equal(0, ProcFs.Status(pid)!.TracerPid);
            }
            foreach (var tid in ProcFs.Tasks(pid))
                Assert.DoesNotContain(ProcFs.ThreadStatus(pid, tid)!.State, "tT");
        }
        finally
        {
            await KillForeign(pid);
        }
    }

    /// <summary>The bytes really in the process's memory, read through /proc/pid/mem without any masking.</summary>
    private static byte[] ReadUntraced(int pid, ulong address, int count)
    {
        using var mem = File.OpenRead($"/proc/{pid}/mem");
        mem.Position = (long)address;
        var b = new byte[count];
        mem.ReadExactly(b);
        return b;
    }
}
