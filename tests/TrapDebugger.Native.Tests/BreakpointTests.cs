
namespace TrapDebugger.Native.Tests;

/// <summary>Software breakpoints: hits, pc rewind, stepping over on resume, masking in reads, removal.</summary>
public class BreakpointTests
{
    [Fact]
    public async Task Every_call_hits_once_with_the_right_argument_and_the_program_ends_normally()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["50"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        await p.InsertBreakpointAsync(f);
        for (var i = 0; i < 50; i++)
        {
            await p.ContinueAsync();
            var stop = await Tracee.NextStop(p);
            Assert.Equal(StopReason.Breakpoint, stop.Reason);
            Assert.Equal(f, stop.Address);
            var regs = await p.GetRegistersAsync(stop.ThreadId);
            Assert.Equal(f, regs.Rip);
            Assert.Equal((ulong)i, regs.Rdi);
        }
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(50 * 49 / 2 & 0x7f), await Tracee.End(p));
    }

    [Fact]
    public async Task The_int3_is_in_memory_only_while_threads_run_and_reads_always_show_the_original_bytes()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["3"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        var fromFile = Symbols.FileBytesAt(p.Pid, program, f, 16);
        int RawByte()
        {
            // Past the tracer, through the kernel's mem file.
            using var mem = File.OpenRead($"/proc/{p.Pid}/mem");
            mem.Position = (long)f;
            return mem.ReadByte();
        }
        await p.InsertBreakpointAsync(f);
        var seen = new byte[16];
        Assert.Equal(16, p.Read(f, seen));
        Assert.Equal(fromFile, seen);
        // Stopped, the program holds its own code.
        Assert.Equal(fromFile[0], RawByte());
        // A decision runs when the hit is seen, before anything else is stopped: the int3 is in memory then.
        var whileRunning = new List<int>();
        await p.InsertBreakpointAsync(f, hit =>
        {
            whileRunning.Add(RawByte());
            return false;
        });
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p);
        Assert.Equal((StopReason.Breakpoint, f), (stop.Reason, stop.Address));
        Assert.Equal([0xCC], whileRunning);
        Assert.Equal(fromFile[0], RawByte());
        Assert.Equal(16, p.Read(f, seen));
        Assert.Equal(fromFile, seen);
        await p.RemoveBreakpointAsync(f);
        await p.ContinueAsync();
        // The decision alone is left: it sees the two other hits, which run on.
        Assert.Equal(new ProcessExited(3), await Tracee.End(p));
        Assert.Equal([0xCC, 0xCC, 0xCC], whileRunning);
    }

    [Fact]
    public async Task A_breakpoint_removed_while_hits_are_pending_is_not_reported_and_the_program_runs_on()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["10"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        await p.InsertBreakpointAsync(f);
        await p.ContinueAsync();
        Assert.Equal(StopReason.Breakpoint, (await Tracee.NextStop(p)).Reason);
        await p.RemoveBreakpointAsync(f);
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(45), await Tracee.End(p));
    }

    [Fact]
    public async Task A_decision_sees_every_hit_and_only_the_hits_it_wants_or_a_plain_insertion_holds_are_reported()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["10"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        var seen = new List<ulong>();
        var words = new List<ulong>();
        BreakpointDecision onlySeven = hit =>
        {
            seen.Add(hit.Registers.Rdi);
            // The memory a decision reads is the program's: the return address on top of the stack, masked bytes aside.
            var word = new byte[8];
            if (hit.Memory.Read(hit.Registers.Rsp, word) == 8) words.Add(BitConverter.ToUInt64(word));
            Assert.Equal(f, hit.Address);
            return hit.Registers.Rdi == 7;
        };
        BreakpointDecision never = _ => false;
        await p.InsertBreakpointAsync(f, onlySeven);
        await p.InsertBreakpointAsync(f, never);
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p);
        Assert.Equal((StopReason.Breakpoint, f), (stop.Reason, stop.Address));
        Assert.Equal(7UL, (await p.GetRegistersAsync(stop.ThreadId)).Rdi);
        Assert.Equal([0UL, 1, 2, 3, 4, 5, 6, 7], seen);
        Assert.Equal(8, words.Count);
        Assert.All(words, w => Assert.Equal(words[0], w));
        // A plain insertion at the same address reports every hit, the decisions still seeing each one.
        await p.InsertBreakpointAsync(f);
        await p.ContinueAsync();
        Assert.Equal(8UL, (await p.GetRegistersAsync((await Tracee.NextStop(p)).ThreadId)).Rdi);
        await p.RemoveBreakpointAsync(f);
        await p.RemoveBreakpointAsync(f, onlySeven);
        await p.ContinueAsync();
        // Only the decision that never reports is left: the last hit runs through unreported.
        Assert.Equal(new ProcessExited(45), await Tracee.End(p));
        Assert.Equal([0UL, 1, 2, 3, 4, 5, 6, 7, 8], seen);
    }

    [Fact]
    public async Task Removing_a_decision_that_was_never_inserted_is_refused()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["1"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        await p.InsertBreakpointAsync(f, _ => false);
        await Assert.ThrowsAnyAsync<TargetException>(() => p.RemoveBreakpointAsync(f, _ => true));
        await Assert.ThrowsAnyAsync<TargetException>(() => p.RemoveBreakpointAsync(f));
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(0), await Tracee.End(p));
    }

    [Fact]
    public async Task Single_step_moves_one_instruction_and_steps_off_a_breakpoint()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["2"] });
        await Tracee.NextStop(p);
        var f = Symbols.RuntimeAddress(p.Pid, program, "f");
        await p.InsertBreakpointAsync(f);
        await p.ContinueAsync();
        var hit = await Tracee.NextStop(p);
        // f begins with push %rbp (one byte, 0x55) at -O0.
        Assert.Equal(0x55, Symbols.FileBytesAt(p.Pid, program, f, 1)[0]);
        var before = await p.GetRegistersAsync(hit.ThreadId);
        await p.StepInstructionAsync(hit.ThreadId);
        var step = await Tracee.NextStop(p);
        Assert.Equal(StopReason.Step, step.Reason);
        var after = await p.GetRegistersAsync(hit.ThreadId);
        Assert.Equal(f + 1, after.Rip);
        Assert.Equal(before.Rsp - 8, after.Rsp);
        // The breakpoint is back in place: the second call hits it again.
        await p.ContinueAsync();
        var again = await Tracee.NextStop(p);
        Assert.Equal((StopReason.Breakpoint, f), (again.Reason, again.Address));
        Assert.Equal(1UL, (await p.GetRegistersAsync(again.ThreadId)).Rdi);
        await p.RemoveBreakpointAsync(f);
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(1), await Tracee.End(p));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_breakpoint_on_a_blocking_system_call_is_stepped_over_without_holding_the_other_threads(bool pauseWhileBlocked)
    {
        // Stepping the reader over its read(2) blocks until main writes; main must run meanwhile, and each read must be
        // reported exactly once, even when a pause interrupts (and the kernel restarts) the read during the pass.
        const int bytes = 12;
        var program = Programs.Build(Programs.BlockingReadSource, "blocking_read");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = [bytes.ToString()] });
        await Tracee.NextStop(p);
        var syscall = Symbols.RuntimeAddress(p.Pid, program, "read_syscall");
        await p.InsertBreakpointAsync(syscall);
        var hits = 0;
        var pauses = 0;
        int? reader = null;
        await p.ContinueAsync();
        while (true)
        {
            var e = await Tracee.Next<TargetEvent>(p);
            if (e is ProcessExited exited)
            {
                Assert.Equal(bytes, exited.ExitCode);
                break;
            }
            if (e is not ProcessStopped stop) continue;
            if (stop.Reason == StopReason.Pause)
            {
                pauses++;
                // A pause that lands while the program is already exiting (exit_group under way) is followed by the exit.
                try { await p.ContinueAsync(); }
                catch (Errors.TraceeGoneException) { }
                continue;
            }
            Assert.Equal((StopReason.Breakpoint, syscall), (stop.Reason, stop.Address));
            Assert.NotEqual(p.Pid, stop.ThreadId);
            Assert.Equal(reader ??= stop.ThreadId, stop.ThreadId);
            Assert.Equal(syscall, (await p.GetRegistersAsync(stop.ThreadId)).Rip);
            hits++;
            await p.ContinueAsync();
            if (pauseWhileBlocked)
            {
                // The resume returns once the pass over the read is under way (usually blocked in it): a pause now
                // interrupts the read, which the kernel restarts on the int3 at the same site.
                await Task.Delay(hits % 3);
                await p.PauseAsync();
            }
        }
        // One hit per read call: the bytes, then the end of file.
        // A pause finds the process already stopped when the reader got a byte at once and hit again; most land.
        Assert.Equal(bytes + 1, hits);
        Assert.True(pauseWhileBlocked || pauses == 0);
    }
}
