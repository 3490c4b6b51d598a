using TrapDebugger.Native.Proc;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Native.Tests;

/// <summary>Processes a traced program makes (tests/fixtures/forker.c): a fork child let go without the parent's
/// breakpoints, handed over as a target of its own, or followed; a vfork child, which shares its parent's breakpoints,
/// passed over them until it exits.</summary>
public class ForkTests
{
    private static string Forker => Fixtures.Build("forker", BuildVariant.Clang22O0).Program;

    /// <summary>Launches forker with <paramref name="args"/>, stdout piped, with a breakpoint on work(); returns the
    /// process, work's address and the task reading its output.</summary>
    private static async Task<(TraceeProcess Process, ulong Work, Task<string> Output)> LaunchAsync(ForkOptions? options, params string[] args)
    {
        var program = Forker;
        var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, Arguments = args, StandardOutput = StdioMode.Pipe });
        await Tracee.NextStop(p);
        var work = Symbols.RuntimeAddress(p.Pid, program, "work");
        await p.InsertBreakpointAsync(work);
        if (options is not null) await p.SetForkOptionsAsync(options);
        var output = new StreamReader(p.StandardOutput!).ReadToEndAsync();
        return (p, work, output);
    }

    [Fact]
    public async Task A_child_let_go_runs_without_the_parents_breakpoint_bytes_and_ends_as_it_would()
    {
        var (p, _, output) = await LaunchAsync(null, "exit");
        await using var _ = p;
        await p.ContinueAsync();
        var skipped = new List<TargetEvent>();
        Assert.Equal(new ProcessExited(0), await Tracee.Next<ProcessExited>(p, skipped));
        var detached = Assert.Single(skipped.OfType<ChildDetached>());
        Assert.Matches($"^child {detached.ChildPid} exited 7\nparent done\n$", await output);
    }

    [Fact]
    public async Task A_child_kept_is_a_stopped_target_without_breakpoints_whose_crash_is_a_signal_stop()
    {
        var (p, work, output) = await LaunchAsync(new ForkOptions(ForkFollow.Parent, KeepOther: true), "crash");
        await using var _ = p;
        await p.ContinueAsync();
        var forked = await Tracee.Next<ProcessForked>(p);
        Assert.False(forked.FollowingChild);
        var child = Assert.IsType<TraceeProcess>(forked.Other);
        await using var __ = child;
        Assert.Equal(forked.ChildPid, child.Pid);
        Assert.Equal(StopReason.Attach, (await Tracee.NextStop(child)).Reason);
        // The child's copy of the code holds the program's byte at work(), not the parent's int3.
        Assert.Equal(Symbols.FileBytesAt(child.Pid, Forker, work, 1), MemoryAt(child.Pid, work, 1));

        await child.ContinueAsync();
        var crash = await Tracee.NextStop(child);
        Assert.Equal(StopReason.Signal, crash.Reason);
        Assert.Equal(Signals.SIGSEGV, crash.Signal!.Value.Signal);
        // Let go, it dies of the signal it stopped with, and its parent sees that.
        await child.DetachAsync();
        Assert.Equal(new ProcessExited(0), await Tracee.Next<ProcessExited>(p));
        Assert.Matches($"^child {forked.ChildPid} killed by signal 11\nparent done\n$", await output);
    }

    [Fact]
    public async Task Following_the_child_the_target_becomes_the_child_at_its_breakpoint_and_the_parent_runs_on()
    {
        var (p, work, output) = await LaunchAsync(new ForkOptions(ForkFollow.Child, KeepOther: false), "exit");
        await using var _ = p;
        var parent = p.Pid;
        await p.ContinueAsync();
        var skipped = new List<TargetEvent>();
        var stop = await Tracee.NextStop(p, skipped);
        var forked = Assert.Single(skipped.OfType<ProcessForked>());
        Assert.True(forked.FollowingChild);
        Assert.Null(forked.Other);
        Assert.Equal([parent], forked.FormerThreadIds);
        Assert.Equal(forked.ChildPid, p.Pid);
        Assert.Equal([forked.ChildPid], p.ThreadIds);
        Assert.Equal((StopReason.Breakpoint, work, forked.ChildPid), (stop.Reason, stop.Address, stop.ThreadId));
        Assert.Equal(0, ProcFs.Status(parent)!.TracerPid);
        // The parent let go holds its own code again.
        Assert.Equal(Symbols.FileBytesAt(parent, Forker, work, 1), MemoryAt(parent, work, 1));
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(7), await Tracee.End(p));
        Assert.Matches($"^child {forked.ChildPid} exited 7\nparent done\n$", await output);
    }

    [Fact]
    public async Task A_vfork_child_runs_over_its_parents_breakpoint_in_shared_memory_and_the_parent_still_stops_there()
    {
        var (p, work, output) = await LaunchAsync(new ForkOptions(ForkFollow.Parent, KeepOther: true), "vfork");
        await using var _ = p;
        await p.ContinueAsync();
        var skipped = new List<TargetEvent>();
        var stop = await Tracee.NextStop(p, skipped);
        // The child called work() first, under the same int3; only the parent's call stops.
        Assert.Empty(skipped.OfType<ProcessForked>());
        Assert.Equal((StopReason.Breakpoint, work, p.Pid), (stop.Reason, stop.Address, stop.ThreadId));
        Assert.Equal(3UL, (await p.GetRegistersAsync(p.Pid)).Rdi);
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(0), await Tracee.End(p));
        Assert.Matches(@"^child \d+ exited 3\nparent done\n$", await output);
    }

    [Theory]
    [InlineData("spawn")]
    [InlineData("exec")]
    public async Task A_child_that_executes_another_program_runs_it_whole(string mode)
    {
        var (p, _, output) = await LaunchAsync(null, mode);
        await using var _ = p;
        await p.ContinueAsync();
        Assert.Equal(new ProcessExited(0), await Tracee.End(p));
        Assert.Matches(@"^child \d+ exited 0\nparent done\n$", await output);
    }

    private static byte[] MemoryAt(int pid, ulong address, int count)
    {
        using var mem = File.OpenHandle($"/proc/{pid}/mem");
        var bytes = new byte[count];
        RandomAccess.Read(mem, bytes, (long)address);
        return bytes;
    }
}
