using TrapDebugger.Native.Breakpoints;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Memory;
using TrapDebugger.Native.Proc;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

// Processes the program makes. A fork child's first stop reaches its parent's tracer thread (the kernel attaches it there)
// and is let go, handed over as a target of its own, or followed, as ForkOptions say. A vfork child shares its parent's
// memory until it executes another program or exits: untraced, the first int3 it met there would kill it, so while any
// runs no int3 is in memory (gdb does the same); the parent's other threads pass the breakpoints unseen meanwhile.
public sealed partial class TraceeProcess
{
    private ForkOptions forkOptions = ForkOptions.Default;
    private readonly Queue<int> childrenToFollow = new();
    // vfork children still running in this process's memory (between PTRACE_EVENT_VFORK and PTRACE_EVENT_VFORK_DONE).
    private int vforkWindows;

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
            // A vfork child (or a clone with CLONE_VM): the bytes are out of the memory it shares for as long as it runs.
            ClearDebugRegisters(child);
            LibC.Ptrace(Ptrace.DETACH, child, 0, 0);
            return null;
        }
        if (forkOptions is { Follow: ForkFollow.Parent, KeepOther: false })
        {
            DetachForkChild(child);
            return null;
        }
        if (forkOptions.Follow == ForkFollow.Parent)
        {
            var other = Adopt(child, CleanCopy(child), null);
            Emit(new ProcessForked(child, other, false, []));
            return null;
        }
        // Switching to the child needs every thread of the parent stopped: an internal stop brings the all-stop, and the
        // switch happens once it is complete (FollowForks).
        childrenToFollow.Enqueue(child);
        return new ThreadStop(child, StopReason.Attach, null, 0, null, Internal: true);
    }

    /// <summary>A vfork (PTRACE_EVENT_VFORK) or its end (PTRACE_EVENT_VFORK_DONE) in one of our threads.</summary>
    private void VforkWindow(bool opens)
    {
        lock (sitesGate)
        {
            vforkWindows = Math.Max(0, vforkWindows + (opens ? 1 : -1));
            var writes = new List<SiteByte>();
            foreach (var site in sites.Values)
            {
                // Threads may run: one byte at a time.
                if (opens && site.Inserted) writes.Add(new SiteByte(site.Address, site.Original, site.Original));
                else if (!opens && vforkWindows == 0 && state == RunState.Running && !site.Inserted) writes.Add(new SiteByte(site.Address, Int3, site.Original));
                else continue;
                site.Inserted = !opens;
                insertedSites += opens ? -1 : 1;
            }
            WriteSiteBytes(writes, everyThreadStopped: false);
        }
    }

    /// <summary>Puts the original bytes back in a fork child's copy of our memory; returns the addresses that held them.</summary>
    private List<ulong> CleanCopy(int child)
    {
        List<(ulong Address, byte Original)> originals;
        lock (sitesGate) originals = sites.Values.Select(s => (s.Address, s.Original)).ToList();
        using (var childMemory = new ProcessMemory(child))
            foreach (var (address, original) in originals) childMemory.Write(address, [original]);
        ClearDebugRegisters(child);
        return originals.Select(o => o.Address).ToList();
    }

    // fork does not copy ptrace's debug registers, but a DR7 the program set itself would be.
    private void ClearDebugRegisters(int tid)
    {
        for (var i = 0; i < 4; i++) PokeDebugRegister(tid, i, 0);
        PokeDebugRegister(tid, 7, 0);
    }

    /// <summary>A target for process <paramref name="pid"/>, whose threads are stopped and traced from our thread; its first
    /// event is an attach stop.</summary>
    private TraceeProcess Adopt(int pid, IEnumerable<ulong> formerSites, IReadOnlyList<TraceeThread>? stoppedThreads)
    {
        var other = new TraceeProcess(this) { Pid = pid, state = RunState.Stopped };
        other.memory = stoppedThreads is not null ? memory : new ProcessMemory(pid);
        // A thread may hold the SIGTRAP of a breakpoint it hit just before the bytes went: it is ours, not the program's.
        other.moribund.UnionWith(formerSites);
        foreach (var t in stoppedThreads ?? [new TraceeThread(pid)])
        {
            t.Running = false;
            other.threads[t.Tid] = t;
        }
        other.PublishThreadIds();
        other.StartModuleTracking(ProcFs.Auxv(pid));
        other.Emit(new ProcessStopped(pid, StopReason.Attach, null, 0, null, 0));
        return other;
    }

    /// <summary>With every thread stopped: switches this target to each child waiting to be followed. The parent is left
    /// as if detached (its threads at their places in the program, no scratch page, no debug register; the breakpoint bytes
    /// are already out) and handed over or let go; this target is the child from here on, with the same breakpoints.</summary>
    private void FollowForks()
    {
        while (childrenToFollow.Count > 0 && state == RunState.Stopped && threads.Values.All(t => !t.Running))
        {
            var child = childrenToFollow.Dequeue();
            if (ProcFs.Status(child) is null) continue;
            var parent = Pid;
            foreach (var t in threads.Values.Where(t => !t.InGroupStop).ToList()) DropPendingTrap(t);
            var former = threads.Values.ToList();
            foreach (var t in former)
            {
                t.RestartInSlot = null;
                WriteBackRegisters(t);
                ClearDebugRegisters(t.Tid);
            }
            // The parent's scratch pages go; the child keeps its copies, which this target goes on using.
            if (former.FirstOrDefault(t => !t.InGroupStop && !t.InExitStop && !t.Exiting) is { } any)
                foreach (var page in scratch.Pages.ToList()) InjectSystemCall(any, SysMunmap, page, ScratchSpace.PageSize);
            List<ulong> patched;
            lock (sitesGate) patched = [.. sites.Keys];
            threads.Clear();
            var pending = pendingStops.ToList();
            pendingStops.Clear();
            lastSignal.Clear();
            publishedRegisters.Clear();
            var other = Adopt(parent, patched, former);
            foreach (var stop in pending) other.pendingStops.Enqueue(stop);
            // The child forked while the parent ran, with the int3s in its copy: out, as in a stopped process.
            CleanCopy(child);
            memory = new ProcessMemory(child);
            Pid = child;
            threads[child] = new TraceeThread(child);
            PublishThreadIds();
            if (slots.Any(s => s != null)) ApplyDebugRegisters(child);
            view.Invalidate();
            StartModuleTracking(ProcFs.Auxv(child));
            if (!forkOptions.KeepOther)
            {
                other.DoDetach(keepStopped: false);
                other.Abandon();
                other = null;
            }
            Emit(new ProcessForked(child, other, true, former.Select(t => t.Tid).Order().ToList()));
        }
    }
}
