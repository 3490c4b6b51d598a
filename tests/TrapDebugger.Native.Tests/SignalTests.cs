
namespace TrapDebugger.Native.Tests;

/// <summary>Signals and ends: exit codes, faults with their siginfo, deaths by signal.</summary>
public class SignalTests
{
    [Fact]
    public async Task Ud2_stops_with_SIGILL_at_the_trap_address_and_kills_the_program_when_delivered()
    {
        var program = Programs.Build(Programs.CrashSource, "crash");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["ud2"] });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p);
        Assert.Equal(StopReason.Signal, stop.Reason);
        var info = stop.Signal!.Value;
        Assert.Equal(4, info.Signal);          // SIGILL
        Assert.Equal(2, info.Code);           // ILL_ILLOPN
        var regs = await p.GetRegistersAsync(stop.ThreadId);
        Assert.Equal(regs.Rip, info.Address); // a fault: the saved pc is the ud2 itself
        var bytes = new byte[2];
        p.Read(info.Address, bytes);
        Assert.Equal(new byte[] { 0x0F, 0x0B }, bytes);
        var trapHere = Symbols.RuntimeAddress(p.Pid, program, "trap_here");
        Assert.InRange(info.Address, trapHere, trapHere + 32);
        await p.ContinueAsync();
        var end = Assert.IsType<ProcessKilled>(await Tracee.End(p));
        Assert.Equal(4, end.Signal);
        Assert.Equal(info, end.LastSignalInfo);
    }

    [Fact]
    public async Task Abort_is_reported_as_SIGABRT_sent_by_the_process_itself()
    {
        var program = Programs.Build(Programs.CrashSource, "crash");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["abort"] });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p);
        var info = stop.Signal!.Value;
        Assert.Equal(6, info.Signal);
        Assert.True(info.IsSentByProcess);
        Assert.Equal(-6, info.Code);          // SI_TKILL: glibc's abort raises with tgkill
        Assert.Equal(p.Pid, info.SenderPid);
        Assert.Equal(0, info.SenderUid);
        await p.ContinueAsync();
        Assert.Equal(6, Assert.IsType<ProcessKilled>(await Tracee.End(p)).Signal);
    }

    [Fact]
    public async Task A_null_read_is_SIGSEGV_at_address_zero_and_a_suppressed_signal_can_be_retried()
    {
        var program = Programs.Build(Programs.CrashSource, "crash");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["null"] });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        var stop = await Tracee.NextStop(p);
        Assert.Equal((11, 1, 0UL), (stop.Signal!.Value.Signal, stop.Signal.Value.Code, stop.Signal.Value.Address)); // SEGV_MAPERR
        // Not delivering the signal re-executes the faulting load: the same fault comes back.
        await p.ContinueAsync(deliverSignals: false);
        var again = await Tracee.NextStop(p);
        Assert.Equal(stop.Signal, again.Signal);
        await p.ContinueAsync();
        Assert.Equal(11, Assert.IsType<ProcessKilled>(await Tracee.End(p)).Signal);
    }

    [Fact]
    public async Task An_exit_code_is_reported_exactly()
    {
        var program = Programs.Build(Programs.CrashSource, "crash");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(42), await Tracee.End(p));
        await Assert.ThrowsAsync<Errors.TraceeGoneException>(() => p.ContinueAsync());
    }
}
