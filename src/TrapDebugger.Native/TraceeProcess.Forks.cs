using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Memory;
using TrapDebugger.Native.Proc;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

// Processes the program makes: a fork child's first stop reaches the tracer of its parent (the kernel attaches it there),
// and is let go, handed over as a target of its own, or followed, as ForkOptions say. A vfork child shares its parent's
// memory, and so its breakpoint bytes, until it executes another program or exits: it stays traced until then as a
// companion that passes every breakpoint over, because it would die of the SIGTRAP of the first one it ran into untraced.
public sealed partial class TraceeProcess
{
    private ForkOptions forkOptions = ForkOptions.Default;
    private readonly Queue<int> childrenToFollow = new();

    // A vfork child traced until it executes or exits: it never reports a stop.
    private bool companion;

    /// <inheritdoc/>
    public Task SetForkOptionsAsync(ForkOptions options) => tracer.Invoke(() =>
    {
        ArgumentNullException.ThrowIfNull(options);
        forkOptions = options;
    });

    /// <summary>The first stop of a new process of ours (a thread of another process than ours).</summary>
    private ThreadStop? TakeNewProcess(int child)
    {
        if (LibC.CompareAddressSpaces(Pid, child) == 0)
        {
            TakeCompanion(child);
            return null;
        }
        if (companion || forkOptions is { Follow: ForkFollow.Parent, KeepOther: false })
        {
            DetachForkChild(child);
            return null;
        }
        if (forkOptions.Follow == ForkFollow.Parent)
        {
            var other = Adopt(child, CleanCopy(child));
            Emit(new ProcessForked(child, other, false, []));
            return null;
        }
        // Switching to the child needs every thread of the parent stopped: an internal stop brings the all-stop, and the
        // switch happens once it is complete (FollowForks).
        childrenToFollow.Enqueue(child);
        return new ThreadStop(child, StopReason.Attach, null, 0, null, Internal: true);
    }

    /// <summary>Puts the original bytes back in a fork child's copy of our memory; returns the addresses that held them.</summary>
    private List<ulong> CleanCopy(int child)
    {
        List<(ulong Address, byte Original)> originals;
        lock (sitesGate) originals = sites.Values.Select(s => (s.Address, s.Original)).ToList();
        using (var childMemory = new ProcessMemory(child))
            foreach (var (address, original) in originals) childMemory.Write(address, [original]);
        // fork does not copy ptrace's debug registers, but a DR7 the program set itself would be.
        for (var i = 0; i < 4; i++) PokeDebugRegister(child, i, 0);
        PokeDebugRegister(child, 7, 0);
        return originals.Select(o => o.Address).ToList();
    }

    /// <summary>A target for process <paramref name="pid"/>, whose threads are stopped and traced from our thread; its
    /// first event is an attach stop.</summary>
    private TraceeProcess Adopt(int pid, IEnumerable<ulong> formerSites, IEnumerable<TraceeThread>? stoppedThreads = null)
    {
        var other = new TraceeProcess(this, null) { Pid = pid, state = RunState.Stopped };
        other.memory = pid == Pid && stoppedThreads is not null ? memory : new ProcessMemory(pid);
        // A thread may hold the SIGTRAP of a breakpoint it hit just before the bytes went: it is ours, not the program's.
        other.moribund.UnionWith(formerSites);
        ChildWaiter.RegisterProcess(pid, other);
        foreach (var t in stoppedThreads ?? [new TraceeThread(pid)])
        {
            t.Running = false;
            other.threads[t.Tid] = t;
            ChildWaiter.RegisterThread(t.Tid, other);
        }
        other.PublishThreadIds();
        other.StartModuleTracking(ProcFs.Auxv(pid));
        other.Emit(new ProcessStopped(pid, StopReason.Attach, null, 0, null, 0));
        return other;
    }

    /// <summary>Takes a vfork child as a companion that shares our breakpoint sites, and lets it run at once: its parent's
    /// thread waits in the kernel until it executes or exits.</summary>
    private void TakeCompanion(int child)
    {
        var other = new TraceeProcess(this, this) { Pid = child, companion = true, state = RunState.Running, launched = false };
        other.memory = new ProcessMemory(child);
        var thread = new TraceeThread(child);
        other.threads[child] = thread;
        other.PublishThreadIds();
        ChildWaiter.RegisterProcess(child, other);
        other.Resume(thread, Ptrace.CONT);
    }

    /// <summary>With every thread stopped: switches this target to each child waiting to be followed. The parent's bytes and
    /// debug registers are removed and it is handed over (or let go); this target is the child from here on.</summary>
    private void FollowForks()
    {
        while (childrenToFollow.Count > 0 && state == RunState.Stopped && threads.Values.All(t => !t.Running))
        {
            var child = childrenToFollow.Dequeue();
            if (ProcFs.Status(child) is null) continue;
            var parent = Pid;
            var former = threads.Values.ToList();
            List<ulong> patched;
            lock (sitesGate)
            {
                patched = [.. sites.Keys];
                foreach (var site in sites.Values) memory.Write(site.Address, [site.Original]);
            }
            foreach (var t in former)
            {
                for (var i = 0; i < 4; i++) PokeDebugRegister(t.Tid, i, 0);
                PokeDebugRegister(t.Tid, 7, 0);
            }
            // The child's copy of memory still holds every breakpoint, at the same addresses.
            foreach (var t in former) ChildWaiter.UnregisterThread(t.Tid);
            threads.Clear();
            var pending = pendingStops.ToList();
            pendingStops.Clear();
            lastSignal.Clear();
            var other = Adopt(parent, patched, former);
            foreach (var stop in pending) other.pendingStops.Enqueue(stop);
            memory = new ProcessMemory(child);
            Pid = child;
            threads[child] = new TraceeThread(child);
            ChildWaiter.RegisterProcess(child, this);
            PublishThreadIds();
            if (slots.Any(s => s != null)) ApplyDebugRegisters(child);
            view.Invalidate();
            StartModuleTracking(ProcFs.Auxv(child));
            other.DropPendingTraps();
            if (!forkOptions.KeepOther)
            {
                other.DoDetach(keepStopped: false);
                other.Abandon();
                other = null;
            }
            Emit(new ProcessForked(child, other, true, former.Select(t => t.Tid).Order().ToList()));
        }
    }

    /// <summary>Lets every stopped thread take a SIGTRAP it holds (see <see cref="DropPendingTrap"/>).</summary>
    private void DropPendingTraps()
    {
        foreach (var t in threads.Values.Where(t => !t.Running && !t.InGroupStop).ToList())
            DropPendingTrap(t);
    }

    /// <summary>A companion has executed another program: its memory is its own now, so it is let go as it is.</summary>
    private void ReleaseCompanion(TraceeThread thread)
    {
        LibC.Ptrace(Ptrace.DETACH, thread.Tid, 0, 0);
        Finish(new ProcessDetached());
        tracer.Stop();
    }
}
