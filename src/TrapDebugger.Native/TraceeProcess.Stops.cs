using System.Numerics;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Memory;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

// The all-stop state machine: classifying each wait status, stopping every thread when one has something to report,
// keeping other threads' own stops pending, and resuming everyone correctly. Runs on the tracer thread only.
public sealed partial class TraceeProcess
{
    private static readonly HashSet<int> SilentSignals =
    [
        Signals.SIGCHLD, Signals.SIGWINCH, Signals.SIGURG, Signals.SIGCONT, Signals.SIGPROF, Signals.SIGVTALRM, Signals.SIGALRM, Signals.SIGIO,
        32, 33, // glibc's SIGCANCEL and SIGSETXID (thread cancellation, setuid across threads)
    ];

    /// <summary>A wait result arrived while no request is running.</summary>
    private void OnWaitResult(WaitResult r)
    {
        if (state == RunState.Gone) return;
        var (stop, thread) = Classify(r);
        if (state == RunState.Gone) return;
        if (state == RunState.Running)
        {
            if (stop != null) StopAll(stop, report: true);
            else if (thread != null && !thread.Running && threads.ContainsKey(thread.Tid))
                Resume(thread, thread.Stepping ? Ptrace.SINGLESTEP : Ptrace.CONT);
        }
        else if (stop != null)
        {
            if (stop.Internal) HandleInternalStop(stop);
            else pendingStops.Enqueue(stop);
        }
    }

    /// <summary>Inside a request that collects stops: classify and keep any reportable stop pending.</summary>
    private void HandleWhileStopping(WaitResult r, ThreadStop? primary)
    {
        var (stop, _) = Classify(r);
        if (stop == null || state == RunState.Gone) return;
        if (stop.Internal) HandleInternalStop(stop);
        else pendingStops.Enqueue(stop);
    }

    /// <summary>Interrupts every running thread, waits until each has stopped (collecting their own stops as pending)
    /// and then reports <paramref name="primary"/>.</summary>
    private void StopAll(ThreadStop? primary, bool report)
    {
        foreach (var t in threads.Values)
        {
            if (!t.Running || t.AwaitingInitialStop || t.Exiting) continue;
            if (LibC.Ptrace(Ptrace.INTERRUPT, t.Tid, 0, 0) < 0) t.Exiting = true;
        }
        var deadline = Environment.TickCount64 + (long)StopTimeout.TotalMilliseconds;
        while (state != RunState.Gone && threads.Values.FirstOrDefault(t => t.Running && !t.Exiting) is { } waiting)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
                throw new TraceeTimeoutException($"thread {waiting.Tid} of process {Pid} did not stop within {StopTimeout.TotalSeconds:0} s of PTRACE_INTERRUPT; it may be in uninterruptible sleep (state D)");
            if (tracer.TakeWait(TimeSpan.FromMilliseconds(Math.Min(left, 250))) is { } r) HandleWhileStopping(r, primary);
            else RecoverStolenStops();
        }
        if (state == RunState.Gone) return;
        lock (sitesGate) moribund.Clear();
        state = RunState.Stopped;
        FollowForks();
        if (primary == null || !report) return;
        if (primary.Internal)
        {
            HandleInternalStop(primary);
            ResumeAll();
            return;
        }
        ReportStop(primary);
    }

    /// <summary>Marks as stopped the threads that sit in a ptrace-stop whose notification someone else consumed.</summary>
    /// <remarks>When the tracee is also a child of this process, another waitpid in this process (such as
    /// System.Diagnostics.Process reaping its own children) receives the tracer's stop notifications too, because the
    /// kernel reports ptrace-stops to every thread of the tracer's thread group. /proc still shows the stop.</remarks>
    private unsafe void RecoverStolenStops()
    {
        var raw = stackalloc byte[128];
        foreach (var t in threads.Values)
        {
            if (!t.Running || t.Exiting || Proc.ProcFs.ThreadStatus(Pid, t.Tid)?.State != 't') continue;
            t.Running = false;
            t.AwaitingInitialStop = false;
            // In a signal-delivery-stop GETSIGINFO succeeds and names the signal to hand back; in an event stop it fails.
            if (LibC.Ptrace(Ptrace.GETSIGINFO, t.Tid, 0, (nint)raw) >= 0)
            {
                var info = SigInfo.Decode(new ReadOnlySpan<byte>(raw, 128));
                t.ResumeSignal = info.Signal is Signals.SIGTRAP or Signals.SIGSTOP ? 0 : info.Signal;
            }
        }
    }

    private void ReportStop(ThreadStop stop)
    {
        state = RunState.Stopped;
        Emit(new ProcessStopped(stop.Tid, stop.Reason, stop.Signal, stop.Address, stop.Watch, pendingStops.Count));
    }

    /// <summary>Reports the next still-valid pending stop, or steps threads off breakpoints and resumes everyone.</summary>
    private void ResumeAll()
    {
        if (ReportPending()) return;
        // A thread sitting on one of our int3 bytes must execute the original instruction first: take the byte out,
        // single-step only that thread while every other thread stays stopped, and put the byte back.
        foreach (var t in threads.Values.ToList())
        {
            if (t.Running || t.InExitStop || !threads.ContainsKey(t.Tid)) continue;
            var rip = GetRegisters(t).Rip;
            if (SiteAt(rip) is { } site) StepOver(t, site);
        }
        if (ReportPending()) return;
        state = RunState.Running;
        foreach (var t in threads.Values.ToList())
            if (!t.Running) Resume(t, t.Stepping ? Ptrace.SINGLESTEP : Ptrace.CONT);
    }

    private bool ReportPending()
    {
        while (pendingStops.TryDequeue(out var stop))
        {
            if (!threads.ContainsKey(stop.Tid)) continue;
            // A breakpoint removed since the hit was recorded: the thread's pc was already set back, so it simply
            // executes the original instruction.
            if (stop.Reason == StopReason.Breakpoint && SiteAt(stop.Address) is not { IsClients: true }) continue;
            ReportStop(stop);
            return true;
        }
        return false;
    }

    private void StepOver(TraceeThread thread, Breakpoints.BreakpointSite site)
    {
        // A PTRACE_INTERRUPT sent while the thread was already trapped stays pending and stops the step before the
        // instruction runs; step again then, or the thread would hit the same breakpoint twice.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            StepOverOnce(thread, site);
            if (state == RunState.Gone || thread.Running || !threads.ContainsKey(thread.Tid) || thread.ResumeSignal != 0
                || thread.InExitStop || SiteAt(site.Address) == null || GetRegisters(thread).Rip != site.Address)
                return;
        }
    }

    private void StepOverOnce(TraceeThread thread, Breakpoints.BreakpointSite site)
    {
        memory.Write(site.Address, [site.Original]);
        thread.ReinsertAfterStep = site.Address;
        thread.SteppingOverSite = site.Address;
        thread.Stepping = true;
        thread.ClientStep = false;
        if (!Resume(thread, Ptrace.SINGLESTEP))
        {
            Reinsert(thread);
            return;
        }
        var deadline = Environment.TickCount64 + (long)StepOverPatience.TotalMilliseconds;
        while (state != RunState.Gone && thread.Running && threads.ContainsKey(thread.Tid))
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || tracer.TakeWait(TimeSpan.FromMilliseconds(left)) is not { } r)
            {
                // The instruction blocks (a system call at the breakpoint, perhaps waiting on a thread we hold) or the
                // thread was not scheduled: put the byte back so the other threads can run under every breakpoint, and
                // leave this one single-stepping. Its step trap ends the pass; if the kernel restarts the system call
                // (or the instruction had not run yet) it meets the int3 at the same site, which SteppingOverSite
                // turns into another pass instead of a second hit.
                Reinsert(thread);
                return;
            }
            HandleWhileStopping(r, null);
        }
        thread.Stepping = false;
        thread.SteppingOverSite = null;
    }

    private void Reinsert(TraceeThread thread)
    {
        if (thread.ReinsertAfterStep is not { } address) return;
        thread.ReinsertAfterStep = null;
        if (SiteAt(address) != null) memory.Write(address, [0xCC]);
    }

    /// <summary>Turns one wait status into thread state, and into a reportable stop when it is one.</summary>
    private (ThreadStop? Stop, TraceeThread? Thread) Classify(WaitResult r)
    {
        if (!threads.TryGetValue(r.Tid, out var thread))
        {
            if (r.Gone) return (null, null);
            var status = Proc.ProcFs.Status(r.Tid);
            if (status != null && status.Tgid != Pid)
                return (TakeNewProcess(r.Tid), null);
            // A thread whose first stop beat its creator's clone event.
            thread = AddThread(r.Tid, parent: 0);
        }
        if (thread.ReinsertAfterStep != null && !(thread.Stepping && r.Stopped && r.Event == 0 && r.StopSignal == Signals.SIGTRAP))
            Reinsert(thread);
        if (r.Gone) return (HandleGone(r, thread), null);

        thread.Running = false;
        var sig = r.StopSignal;
        switch (r.Event)
        {
            case Ptrace.EVENT_CLONE:
            {
                var child = (int)EventMessage(thread.Tid);
                // clone without CLONE_THREAD makes a process (a clone with CLONE_VM shares our memory, like vfork).
                if (child > 0 && Proc.ProcFs.Status(child) is { } status && status.Tgid != Pid) ChildWaiter.RegisterThread(child, this);
                else if (child > 0 && !threads.ContainsKey(child)) AddThread(child, thread.Tid);
                return (null, thread);
            }
            case Ptrace.EVENT_FORK:
            case Ptrace.EVENT_VFORK:
            {
                var child = (int)EventMessage(thread.Tid);
                if (child > 0) ChildWaiter.RegisterThread(child, this);
                return (null, thread);
            }
            case Ptrace.EVENT_EXEC when companion:
                ReleaseCompanion(thread);
                return (null, null);
            case Ptrace.EVENT_EXEC:
                return (HandleExec(thread), thread);
            case Ptrace.EVENT_EXIT:
                thread.InExitStop = true;
                return (null, thread);
            case Ptrace.EVENT_STOP:
                if (thread.AwaitingInitialStop)
                {
                    thread.AwaitingInitialStop = false;
                    if (slots.Any(s => s != null)) ApplyDebugRegisters(thread.Tid);
                }
                else if (sig is Signals.SIGSTOP or Signals.SIGTSTP or Signals.SIGTTIN or Signals.SIGTTOU)
                    thread.InGroupStop = true;
                // Otherwise a PTRACE_INTERRUPT stop (possibly a late one for an interrupt sent while the thread was
                // already stopped): nothing to report.
                return (null, thread);
            case 0:
                break;
            default:
                return (null, thread);
        }

        // Signal-delivery-stop.
        var info = GetSignalInfo(thread.Tid);
        if (sig == Signals.SIGTRAP) return (ClassifyTrap(thread, info), thread);
        lastSignal[thread.Tid] = info;
        thread.ResumeSignal = sig;
        if (SilentSignals.Contains(sig) || companion) return (null, thread);
        return (new ThreadStop(thread.Tid, StopReason.Signal, info, info.Address, null), thread);
    }

    private ThreadStop? ClassifyTrap(TraceeThread thread, SignalInfo info)
    {
        if (info.Code == Signals.SI_KERNEL || info.Code == Signals.TRAP_BRKPT)
        {
            var regs = GetRegisters(thread);
            var address = regs.Rip - 1;
            Breakpoints.BreakpointSite? site;
            bool wasOurs;
            lock (sitesGate)
            {
                site = sites.GetValueOrDefault(address);
                wasOurs = site != null || moribund.Contains(address);
            }
            if (wasOurs)
            {
                regs.Rip = address;
                SetRegisters(thread, regs);
                if (site == null) return null;
                if (trackModulesAtEntry && address == entryAddress)
                {
                    trackModulesAtEntry = false;
                    site.Internal = false;
                    if (!site.IsClients) ReleaseSite(site);
                    StartModuleTracking(Proc.ProcFs.Auxv(Pid));
                    if (!site.IsClients) return null;
                }
                if (thread.SteppingOverSite == address)
                {
                    // The pass over this site did not finish (see StepOverOnce): stop everyone and step it over again.
                    thread.Stepping = false;
                    return new ThreadStop(thread.Tid, StopReason.Breakpoint, null, address, null, Internal: true);
                }
                if (site.IsClients)
                {
                    // A hit no insertion wants is handled like the tracer's own breakpoints: stop all, step over, resume.
                    // A companion's hits are its parent's breakpoints, which its parent's debugger never sees.
                    var report = !companion && Decide(site, thread, address, regs);
                    return new ThreadStop(thread.Tid, StopReason.Breakpoint, null, address, null, Internal: !report);
                }
                if (address == entryAddress) return new ThreadStop(thread.Tid, StopReason.Entry, null, address, null);
                if (modules != null && address == modules.BreakAddress)
                    return new ThreadStop(thread.Tid, StopReason.Breakpoint, null, address, null, Internal: true);
                return null;
            }
            if (info.Code == Signals.SI_KERNEL)
            {
                // An int3 the program carries itself: report it like gdb does, without delivering SIGTRAP.
                return new ThreadStop(thread.Tid, StopReason.Signal, info, address, null);
            }
        }
        var dr6 = PeekDebugRegister(thread.Tid, 6);
        if ((dr6 & 0x400F) != 0) PokeDebugRegister(thread.Tid, 6, 0);
        if ((dr6 & 0xF) != 0)
        {
            var index = BitOperations.TrailingZeroCount(dr6 & 0xF);
            if (thread.Stepping)
            {
                thread.Stepping = false;
                thread.ClientStep = false;
                thread.SteppingOverSite = null;
                Reinsert(thread);
            }
            if (slots[index] is { } slot)
                return new ThreadStop(thread.Tid, StopReason.Watchpoint, null, slot.Address, new WatchpointHit(index, slot.Address, slot.Kind));
        }
        // A step over a syscall instruction ends in the kernel's syscall-exit report (user_single_step_report), which
        // says TRAP_BRKPT and leaves DR6.BS clear.
        if (thread.Stepping && ((dr6 & 0x4000) != 0 || info.Code is Signals.TRAP_TRACE or Signals.TRAP_BRKPT))
        {
            thread.Stepping = false;
            // A system call interrupted during the pass (a pause) also ends the step, but the kernel will restart it by
            // moving the pc back onto the int3: the pass is not over until the call completes.
            if (!SystemCallWillRestart(thread)) thread.SteppingOverSite = null;
            Reinsert(thread);
            if (!thread.ClientStep) return null;
            thread.ClientStep = false;
            return new ThreadStop(thread.Tid, StopReason.Step, null, GetRegisters(thread).Rip, null);
        }
        // A SIGTRAP sent by a process: report it, but do not deliver it (it would kill the program).
        return new ThreadStop(thread.Tid, StopReason.Signal, info, info.Address, null);
    }

    /// <summary>True when the thread left a system call with one of the kernel's restart codes (ERESTARTSYS,
    /// ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK), so resuming it re-executes the syscall instruction.</summary>
    private bool SystemCallWillRestart(TraceeThread thread)
    {
        var regs = GetRegisters(thread);
        return (long)regs.OrigRax >= 0 && (long)regs.Rax is -512 or -513 or -514 or -516;
    }

    // Every decision sees the hit (one may only record it); the hit is reported when a plain insertion holds the site or a
    // decision wants it.
    private bool Decide(Breakpoints.BreakpointSite site, TraceeThread thread, ulong address, GeneralRegisters regs)
    {
        BreakpointDecision[] decisions;
        bool report;
        lock (sitesGate)
        {
            report = site.UserCount > 0;
            if (site.Decisions.Count == 0) return report;
            decisions = [.. site.Decisions];
        }
        var hit = new BreakpointHit(thread.Tid, address, regs, this);
        foreach (var decide in decisions)
        {
            try
            {
                report |= decide(hit);
            }
            catch (Exception)
            {
                // A decision that fails stops the program rather than hiding the hit.
                report = true;
            }
        }
        return report;
    }

    private ThreadStop? HandleGone(WaitResult r, TraceeThread thread)
    {
        threads.Remove(thread.Tid);
        ChildWaiter.UnregisterThread(thread.Tid);
        PublishThreadIds();
        if (thread.Tid == Pid)
        {
            if (companion) tracer.Stop();
            Finish(r.Exited
                ? new ProcessExited(r.ExitCode)
                : new ProcessKilled(r.TermSignal, r.CoreDumped, lastSignal.TryGetValue(Pid, out var s) && s.Signal == r.TermSignal ? s
                    : lastSignal.Values.LastOrDefault(v => v.Signal == r.TermSignal) is { Signal: > 0 } any ? any : null));
            return null;
        }
        if (state != RunState.Starting) Emit(new ThreadExited(thread.Tid, r.Exited ? r.ExitCode : 128 + r.TermSignal));
        return null;
    }

    private TraceeThread AddThread(int tid, int parent)
    {
        var thread = new TraceeThread(tid) { Running = true, AwaitingInitialStop = true };
        threads[tid] = thread;
        ChildWaiter.RegisterThread(tid, this);
        PublishThreadIds();
        if (state != RunState.Starting) Emit(new ThreadCreated(tid, parent));
        return thread;
    }

    private ThreadStop? HandleExec(TraceeThread thread)
    {
        var former = (int)EventMessage(thread.Tid);
        // Every other thread is gone and the exec'ing thread now has the process id.
        foreach (var tid in threads.Keys.Where(t => t != Pid).ToList()) ChildWaiter.UnregisterThread(tid);
        threads.Clear();
        var leader = new TraceeThread(Pid);
        threads[Pid] = leader;
        ChildWaiter.RegisterThread(Pid, this);
        PublishThreadIds();
        lock (sitesGate)
        {
            foreach (var address in sites.Keys) NoteSite(address, -1);
            sites.Clear();
            moribund.Clear();
        }
        Array.Clear(slots);
        pendingStops.Clear();
        memory.Reopen();
        modules = null;
        if (state == RunState.Starting) return null;
        // The new program's dynamic loader has not run yet: its libraries are followed from its entry point on, as after a launch.
        try
        {
            if (Proc.ProcFs.Auxv(Pid)[AuxVector.AT_ENTRY] is { } entry)
            {
                AcquireSite(entry).Internal = true;
                entryAddress = entry;
                trackModulesAtEntry = true;
            }
        }
        catch (Exception e) when (e is TraceException or IOException)
        {
            trackModulesAtEntry = false;
        }
        Emit(new ProcessExecuted(Proc.ProcFs.Executable(Pid) ?? "", former));
        return new ThreadStop(Pid, StopReason.Exec, null, 0, null);
    }

    /// <summary>A forked child inherited our int3 bytes: put the original bytes back in its copy and let it go.</summary>
    private void DetachForkChild(int child)
    {
        using (var childMemory = new ProcessMemory(child))
        {
            List<(ulong, byte)> originals;
            lock (sitesGate) originals = sites.Values.Select(s => (s.Address, s.Original)).ToList();
            foreach (var (address, original) in originals) childMemory.Write(address, [original]);
        }
        for (var i = 0; i < 4; i++) PokeDebugRegister(child, i, 0);
        PokeDebugRegister(child, 7, 0);
        LibC.Ptrace(Ptrace.DETACH, child, 0, 0);
        ChildWaiter.UnregisterThread(child);
        Emit(new ChildDetached(child));
    }

    private void HandleInternalStop(ThreadStop stop)
    {
        FollowForks();
        if (modules != null && stop.Address == modules.BreakAddress)
            foreach (var e in modules.Refresh()) Emit(e);
    }
}
