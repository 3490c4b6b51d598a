using TrapDebugger.Native.Proc;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Native.Tests;

/// <summary>A live process seen through <see cref="ITarget"/>, what the engine drives, and the signal vocabulary checked
/// against the shell and the kernel.</summary>
public class TargetTests
{
    private const string DispositionsSource = """
        #include <signal.h>
        static void on_usr1(int s) { (void)s; }
        int main(void) {
            signal(SIGUSR1, on_usr1);
            signal(SIGPIPE, SIG_IGN);
            sigset_t blocked;
            sigemptyset(&blocked);
            sigaddset(&blocked, SIGUSR2);
            sigprocmask(SIG_BLOCK, &blocked, 0);
            __builtin_trap();
        }
        """;

    // Waits for signals with every disposition at its default (an ignored one would be inherited across exec) and nothing
    // blocked; not dumpable, so a signal whose default is to dump core leaves no file.
    private const string WaiterSource = """
        #include <signal.h>
        #include <sys/prctl.h>
        #include <unistd.h>
        int main(void) {
            for (int s = 1; s < 32; s++) signal(s, SIG_DFL);
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, 0);
            prctl(PR_SET_DUMPABLE, 0);
            for (;;) pause();
        }
        """;

    [Fact]
    public async Task A_launched_program_as_a_target_names_its_program_thread_entry_mappings_and_files()
    {
        var program = Programs.Build(Programs.HotLoopSource, "hotloop");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = ["2"] });
        ITarget target = p;
        var entry = await Tracee.NextStop(p);

        Assert.Equal(p.Pid, target.ProcessId);
        Assert.Equal(program, target.ExecutablePath);
        Assert.Equal([p.Pid], target.ThreadIds);
        // The kernel keeps the first 15 bytes of the program's file name as the main thread's name.
        var name = Path.GetFileName(program);
        Assert.Equal(name[..Math.Min(name.Length, 15)], target.ThreadName(p.Pid));
        Assert.Equal(entry.Address, (await target.GetAuxiliaryVectorAsync())[AuxVector.AT_ENTRY]);
        var code = Assert.Single(await target.GetMemoryRegionsAsync(), r => r.Contains(entry.Address));
        Assert.Equal((program, true, false), (code.Path, code.Executable, code.Writable));

        var bytes = new byte[16];
        Assert.Equal(16, target.Memory.Read(entry.Address, bytes));
        Assert.Equal(Symbols.FileBytesAt(p.Pid, program, entry.Address, 16), bytes);
        using (var file = target.OpenFile(program))
            Assert.Equal(program, file?.LocalPath);
        Assert.Null(target.OpenFile("/nonexistent/trapdbg-test-file"));

        // Values read before a register write are stale after it.
        var version = target.Memory.Version;
        await target.SetRegistersAsync(p.Pid, await target.GetRegistersAsync(p.Pid));
        Assert.NotEqual(version, target.Memory.Version);

        await target.ContinueAsync();
        Assert.Equal(new ProcessExited(1), await Tracee.End(p));
        Assert.True(target.HasEnded);
    }

    [Fact]
    public async Task Signal_dispositions_are_what_the_program_set_up()
    {
        var program = Programs.Build(DispositionsSource, "dispositions");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        var trap = await Tracee.NextStop(p);
        Assert.Equal(Signals.SIGILL, trap.Signal?.Signal);

        var dispositions = await ((ITarget)p).GetSignalDispositionsAsync(trap.ThreadId);
        Assert.True(dispositions.Catches(Signals.SIGUSR1));
        Assert.True(dispositions.Ignores(Signals.SIGPIPE));
        Assert.True(dispositions.Blocks(Signals.SIGUSR2));
        Assert.False(dispositions.Handles(Signals.SIGTERM));
        Assert.False(dispositions.Handles(Signals.SIGUSR2));
        Assert.False(dispositions.Blocks(Signals.SIGUSR1));
        await p.KillAsync();
    }

    // A function the test runs on the trapped thread, and a return address that catches it (main's own code).
    private const string RunCodeSource = """
        __attribute__((noinline)) long twice(long x) { return 2 * x; }
        __attribute__((noinline)) void landing(void) { }
        int main(void) {
            __builtin_trap();
            landing();
            return (int)twice(1);
        }
        """;

    [Fact]
    public async Task A_stopped_thread_runs_code_alone_and_is_restored_whole()
    {
        var program = Programs.Build(RunCodeSource, "runcode");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program });
        ITarget target = p;
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        var trap = await Tracee.NextStop(p);
        Assert.Equal(Signals.SIGILL, trap.Signal?.Signal);
        int tid = trap.ThreadId;

        var saved = await target.SaveThreadAsync(tid);
        Assert.Equal(Signals.SIGILL, saved.ResumeSignal);
        Assert.True(saved.ExtendedState.Length >= 512, $"{saved.ExtendedState.Length} bytes of floating-point state");

        // twice(21), returning to a breakpoint on landing(); xmm0 is clobbered on the way to prove it comes back.
        ulong landing = Symbols.RuntimeAddress(p.Pid, program, "landing");
        var call = saved.Registers;
        call.Rip = Symbols.RuntimeAddress(p.Pid, program, "twice");
        call.Rdi = 21;
        call.Rsp = (saved.Registers.Rsp - 256) & ~0xfUL;
        call.Rsp -= 8;
        target.Memory.Write(call.Rsp, BitConverter.GetBytes(landing));
        await target.SetRegistersAsync(tid, call);
        var fp = await target.GetFloatingPointRegistersAsync(tid);
        fp.SetXmm(0, Enumerable.Repeat((byte)0xab, 16).ToArray());
        await target.SetFloatingPointRegistersAsync(tid, fp);
        await target.InsertBreakpointAsync(landing);
        long version = target.Memory.Version;
        await target.RunThreadAsync(tid);
        var returned = await Tracee.NextStop(p);
        Assert.Equal((tid, StopReason.Breakpoint, landing), (returned.ThreadId, returned.Reason, returned.Address));
        Assert.Equal(42UL, (await target.GetRegistersAsync(tid)).Rax);
        Assert.NotEqual(version, target.Memory.Version);
        await target.RemoveBreakpointAsync(landing);

        await target.RestoreThreadAsync(tid, saved);
        var again = await target.SaveThreadAsync(tid);
        Assert.Equal(saved.Registers, again.Registers);
        Assert.Equal(saved.ResumeSignal, again.ResumeSignal);
        // The FXSAVE part (x87, MXCSR, XMM0-15) is what the program's code can see change; it is back as it was.
        Assert.Equal(saved.ExtendedState.AsSpan(0, 416).ToArray(), again.ExtendedState.AsSpan(0, 416).ToArray());
        Assert.NotEqual(0xab, (await target.GetFloatingPointRegistersAsync(tid)).GetXmm(0)[0]);

        // Resumed, the thread takes the SIGILL it stopped with and the program dies of it.
        await target.ContinueAsync();
        Assert.IsType<ProcessKilled>(await Tracee.End(p));
    }

    [Fact]
    public void Signal_names_are_the_shells()
    {
        for (int signal = 1; signal <= 31; signal++)
        {
            var shell = Toolchain.Run("/bin/bash", ["-c", $"kill -l {signal}"]).Stdout.Trim();
            Assert.Equal("SIG" + shell, Signals.Name(signal));
        }
        Assert.Equal("SIGRTMIN", Signals.Name(Signals.SIGRTMIN));
        Assert.Equal("SIGRTMIN+3", Signals.Name(Signals.SIGRTMIN + 3));
    }

    [Fact]
    public void Default_actions_are_what_the_kernel_does_to_a_process_without_handlers()
    {
        var waiter = Programs.Build(WaiterSource, "waiter");
        foreach (var signal in Enumerable.Range(1, 31).Where(s => Signals.DefaultAction(s) is SignalAction.Terminate or SignalAction.CoreDump or SignalAction.Ignore))
        {
            using var process = System.Diagnostics.Process.Start(waiter)!;
            var deadline = DateTime.UtcNow + Tracee.Timeout;
            // Signalled before it ran main, the program could still be the runtime's child in exec: wait for it to wait.
            while (ProcFs.Status(process.Id) is not { State: 'S' } && DateTime.UtcNow < deadline)
                Thread.Sleep(5);
            Assert.Equal(0, Kill(process.Id, signal));
            bool ignored = Signals.DefaultAction(signal) == SignalAction.Ignore;
            bool died = process.WaitForExit(ignored ? 300 : (int)Tracee.Timeout.TotalMilliseconds);
            Assert.True(died != ignored, $"{Signals.Name(signal)}: the kernel {(died ? "ended" : "did not end")} the process");
            if (died) Assert.Equal(128 + signal, process.ExitCode);
            else process.Kill();
        }
    }

    private static int Kill(int pid, int signal) =>
        Toolchain.Run("/bin/kill", ["-s", Signals.Name(signal)[3..], pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode;
}
