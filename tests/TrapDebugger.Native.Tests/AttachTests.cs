using System.Diagnostics;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Tests;

/// <summary>Attaching to running processes, detaching cleanly, and the specific errors for every refusal.</summary>
public class AttachTests
{
    /// <summary>Starts a program that is not our child (the shell that starts it exits at once, so it is reparented):
    /// a foreign process, as a user attaches to, whose wait statuses no one in this process collects but the tracer.</summary>
    private static int StartForeign(string program, params string[] args)
    {
        var quoted = string.Join(' ', new[] { program }.Concat(args).Select(a => $"'{a}'"));
        var r = TestSupport.Toolchain.Run("/bin/sh", ["-c", $"{quoted} >/dev/null 2>&1 & echo $!"]);
        return int.Parse(r.Stdout.Trim());
    }

    private static async Task KillForeign(int pid)
    {
        Process.GetProcessById(pid).Kill();
        var deadline = DateTime.UtcNow + Tracee.Timeout;
        while (ProcFs.Status(pid) is { State: not 'Z' } && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    private static Process StartUntraced(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static ulong ReadULong(TraceeProcess p, ulong address)
    {
        var b = new byte[8];
        Assert.Equal(8, p.Read(address, b));
        return BitConverter.ToUInt64(b);
    }

    private static ulong ReadULongUntraced(int pid, ulong address)
    {
        using var mem = File.OpenRead($"/proc/{pid}/mem");
        mem.Position = (long)address;
        var b = new byte[8];
        mem.ReadExactly(b);
        return BitConverter.ToUInt64(b);
    }

    /// <summary>Starts the service (four workers calling <c>serve</c>) outside this process's children and waits until its workers exist.</summary>
    private static async Task<int> StartServiceAsync(string program)
    {
        var pid = StartForeign(program, "120000");
        var deadline = DateTime.UtcNow + Tracee.Timeout;
        while (ProcFs.Tasks(pid).Count < 5 && DateTime.UtcNow < deadline) await Task.Delay(10);
        return pid;
    }

    /// <summary>Asserts that the service's workers still count requests in <c>served</c>.</summary>
    private static async Task AssertServesAsync(int pid, ulong served)
    {
        var before = ReadULongUntraced(pid, served);
        await Task.Delay(100);
        Assert.True(ReadULongUntraced(pid, served) > before, "the service stopped serving after the detaches");
    }

    [Fact]
    public async Task Attach_and_detach_100_times_leaves_a_busy_service_intact_and_serving()
    {
        var program = Programs.Build(Programs.ServiceSource, "service");
        var pid = await StartServiceAsync(program);
        try
        {
            var serve = Symbols.RuntimeAddress(pid, program, "serve");
            var served = Symbols.RuntimeAddress(pid, program, "served");
            var text = Symbols.FileBytesAt(pid, program, serve, 32);
            for (var i = 0; i < 100; i++)
            {
                await using var p = await TraceeProcess.AttachAsync(pid);
                var stop = await Tracee.NextStop(p);
                Assert.Equal((StopReason.Attach, pid), (stop.Reason, stop.ThreadId));
                Assert.Equal(5, p.ThreadIds.Count);
                if (i % 10 == 0)
                {
                    Assert.All(p.ThreadIds, tid => Assert.Equal('t', ProcFs.ThreadStatus(pid, tid)!.State));
                    Assert.Equal(Environment.ProcessId, ProcFs.ProcessOfThread(ProcFs.Status(pid)!.TracerPid));
                }
                // Patch the text and program the debug registers, then let a worker run into them once.
                await p.InsertBreakpointAsync(serve);
                var slot = await p.SetWatchpointAsync(served, 8, WatchKind.Write);
                if (i % 25 == 0)
                {
                    await p.ContinueAsync();
                    var hit = await Tracee.NextStop(p);
                    Assert.True(hit.Reason is StopReason.Breakpoint or StopReason.Watchpoint, $"unexpected {hit}");
                    Assert.NotEqual(0UL, (await p.GetDebugRegistersAsync(hit.ThreadId))[7]);
                }
                await p.DetachAsync();
                Assert.IsType<ProcessDetached>(await Tracee.End(p));
                Assert.Equal(0, slot.Index);
            }
            // Nothing of ours is left: the text equals the file, no thread is stopped, no tracer, debug registers unused.
            var mem = new byte[32];
            using (var f = File.OpenRead($"/proc/{pid}/mem"))
            {
                f.Position = (long)serve;
                f.ReadExactly(mem);
            }
            Assert.Equal(text, mem);
            Assert.Equal(0, ProcFs.Status(pid)!.TracerPid);
            foreach (var tid in ProcFs.Tasks(pid))
                Assert.DoesNotContain(ProcFs.ThreadStatus(pid, tid)!.State, "tT");
            await AssertServesAsync(pid, served);
        }
        finally
        {
            await KillForeign(pid);
        }
    }

    [Fact]
    public async Task Detaching_right_after_a_breakpoint_or_watchpoint_stop_leaves_no_trap_behind()
    {
        // Four workers run into `serve` every 200 µs: when one stops at our int3 or debug register, another often hits it
        // just as PTRACE_INTERRUPT reaches it and holds a SIGTRAP behind the interrupt stop. Left there, that signal
        // would kill the service once it is no longer traced (the next attach would find a zombie).
        var program = Programs.Build(Programs.ServiceSource, "service");
        var pid = await StartServiceAsync(program);
        try
        {
            var serve = Symbols.RuntimeAddress(pid, program, "serve");
            var served = Symbols.RuntimeAddress(pid, program, "served");
            for (var i = 0; i < 200; i++)
            {
                await using var p = await TraceeProcess.AttachAsync(pid);
                await Tracee.NextStop(p);
                if (i % 2 == 0) await p.InsertBreakpointAsync(serve);
                else await p.SetWatchpointAsync(served, 8, WatchKind.Write);
                await p.ContinueAsync();
                var hit = await Tracee.NextStop(p);
                Assert.Equal(i % 2 == 0 ? StopReason.Breakpoint : StopReason.Watchpoint, hit.Reason);
                await p.DetachAsync();
                Assert.IsType<ProcessDetached>(await Tracee.End(p));
            }
            await AssertServesAsync(pid, served);
        }
        finally
        {
            await KillForeign(pid);
        }
    }

    [Fact]
    public async Task Detach_keeping_the_process_stopped_leaves_it_in_a_job_control_stop_with_no_debug_register_armed()
    {
        var program = Programs.Build(Programs.ServiceSource, "service");
        var pid = await StartServiceAsync(program);
        try
        {
            var served = Symbols.RuntimeAddress(pid, program, "served");
            await using (var p = await TraceeProcess.AttachAsync(pid))
            {
                await Tracee.NextStop(p);
                await p.SetWatchpointAsync(served, 8, WatchKind.Write);
                await p.DetachAsync(keepStopped: true);
                Assert.IsType<ProcessDetached>(await Tracee.End(p));
            }
            Assert.Equal(0, ProcFs.Status(pid)!.TracerPid);
            var deadline = DateTime.UtcNow + Tracee.Timeout;
            // Every thread reaches the group stop (state T, not the tracing stop t) as it leaves the detach.
            while (ProcFs.Tasks(pid).Any(tid => ProcFs.ThreadStatus(pid, tid)?.State != 'T') && DateTime.UtcNow < deadline)
                await Task.Delay(10);
            Assert.All(ProcFs.Tasks(pid), tid => Assert.Equal('T', ProcFs.ThreadStatus(pid, tid)!.State));
            var stopped = ReadULongUntraced(pid, served);

            // Continued, the workers store to `served` again: an armed debug register would kill it with SIGTRAP.
            TestSupport.Toolchain.Run("/bin/kill", ["-CONT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            while (ReadULongUntraced(pid, served) == stopped && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.True(ReadULongUntraced(pid, served) > stopped, "the service did not serve after SIGCONT");
            Assert.DoesNotContain(ProcFs.Status(pid)!.State, "ZXT");
        }
        finally
        {
            await KillForeign(pid);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MaxValue)]
    public async Task A_pid_that_does_not_exist_is_named(int pid)
    {
        var e = await Assert.ThrowsAsync<NoSuchProcessException>(() => TraceeProcess.AttachAsync(pid));
        Assert.Contains($"no process with pid {pid}", e.Message);
    }

    [Fact]
    public async Task Attaching_to_ourselves_is_refused()
    {
        await Assert.ThrowsAsync<SelfAttachException>(() => TraceeProcess.AttachAsync(Environment.ProcessId));
    }

    [Fact]
    public async Task A_process_traced_by_gdb_names_gdb_as_its_tracer()
    {
        var program = Programs.Build(Programs.ServiceSource, "service");
        using var gdb = StartUntraced(TestSupport.Toolchain.Find("gdb"), "-batch", "-ex", "run", "--args", program, "30000");
        try
        {
            int child = 0;
            var deadline = DateTime.UtcNow + Tracee.Timeout;
            while (child == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
                child = Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var n) ? n : 0)
                    .FirstOrDefault(n => n > 0 && ProcFs.Status(n) is { } s && s.TracerPid == gdb.Id && s.Tgid == n && ProcFs.Executable(n) == program);
            }
            Assert.NotEqual(0, child);
            var e = await Assert.ThrowsAsync<AttachDeniedException>(() => TraceeProcess.AttachAsync(child));
            Assert.Equal(AttachDeniedReason.AlreadyTraced, e.Reason);
            Assert.Equal(gdb.Id, e.TracerPid);
            Assert.Contains($"already traced by process {gdb.Id} (gdb)", e.Message);
        }
        finally
        {
            gdb.Kill(entireProcessTree: true);
            gdb.WaitForExit();
        }
    }

    [Fact]
    public async Task A_zombie_is_named_with_its_parent()
    {
        // The shell's background child exits at once; the shell then becomes sleep, which never reaps it.
        using var parent = StartUntraced("/bin/sh", "-c", "/bin/true & exec sleep 30");
        try
        {
            int zombie = 0;
            var deadline = DateTime.UtcNow + Tracee.Timeout;
            while (zombie == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
                var children = File.ReadAllText($"/proc/{parent.Id}/task/{parent.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                zombie = children.Select(int.Parse).FirstOrDefault(c => ProcFs.Status(c)?.State == 'Z');
            }
            Assert.NotEqual(0, zombie);
            var e = await Assert.ThrowsAsync<ZombieProcessException>(() => TraceeProcess.AttachAsync(zombie));
            Assert.Contains($"parent {parent.Id}", e.Message);
        }
        finally
        {
            parent.Kill();
            parent.WaitForExit();
        }
    }

    [Fact]
    public async Task Processes_that_exit_while_being_attached_give_an_exit_error_or_attach_cleanly()
    {
        var program = Programs.Build(Programs.ServiceSource, "service");
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 20; i++)
        {
            // The service runs for i ms: early attempts land while it runs, later ones while it exits.
            var victim = StartForeign(program, (i % 5).ToString());
            var outcome = "attached";
            try
            {
                await using var p = await TraceeProcess.AttachAsync(victim);
                await p.ContinueAsync();
                var end = await Tracee.End(p);
                Assert.Equal(new ProcessExited(0), end);
            }
            catch (ProcessExitedDuringAttachException) { outcome = "exited during attach"; }
            catch (NoSuchProcessException) { outcome = "no such process"; }
            catch (ZombieProcessException) { outcome = "zombie"; }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Assert.Equal(20, outcomes.Values.Sum());
    }
}
