using System.Numerics;
using TrapDebugger.Native.Breakpoints;
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
            // A hit nobody wants reported: the thread runs the instruction under the breakpoint out of line and goes on,
            // the others never stopping. When that is not possible it is handled like the tracer's own breakpoints.
            if (stop is { PassOver: true } && thread != null && TryPassOver(thread, stop.Address)) return;
            if (stop != null) StopAll(stop.PassOver ? stop with { Internal = true } : stop, report: true);
            else if (thread != null && !thread.Running && threads.ContainsKey(thread.Tid))
                Resume(thread, thread.Stepping ? Ptrace.SINGLESTEP : Ptrace.CONT);
        }
        else if (stop != null) KeepPending(stop);
    }

    // A stop seen while the process is stopped or stopping: reported later, unless it is the tracer's own or a hit nobody
    // wants (that thread stays on the breakpoint and passes it when everyone resumes).
    private void KeepPending(ThreadStop stop)
    {
        if (stop.Internal) HandleInternalStop(stop);
        else if (!stop.PassOver) pendingStops.Enqueue(stop);
    }

    /// <summary>Inside a request that collects stops: classify and keep any reportable stop pending.</summary>
    private void HandleWhileStopping(WaitResult r, ThreadStop? primary)
    {
        var (stop, _) = Classify(r);
        if (stop == null || state == RunState.Gone) return;
        KeepPending(stop);
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
        EnterStopped();
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
                var info = SignalInfo.Decode(new ReadOnlySpan<byte>(raw, SignalInfo.SiginfoSize));
                t.ResumeSignal = info.Signal is Signals.SIGTRAP or Signals.SIGSTOP ? 0 : info.Signal;
            }
        }
    }

    /// <summary>Every thread is stopped: threads inside a scratch slot are shown where they are in the program, and the
    /// breakpoint bytes come out of memory until the next resume.</summary>
    private void EnterStopped()
    {
        lock (sitesGate) moribund.Clear();
        state = RunState.Stopped;
        LeaveScratchSlots();
        WithdrawSiteBytes();
        FollowForks();
        PublishRegisters();
    }

    private void ReportStop(ThreadStop stop)
    {
        state = RunState.Stopped;
        PublishRegisters();
        Emit(new ProcessStopped(stop.Tid, stop.Reason, stop.Signal, stop.Address, stop.Watch, pendingStops.Count) { InstructionsStepped = stop.Steps });
    }

    /// <summary>Reports the next still-valid pending stop, or passes threads over the breakpoints they sit on and resumes
    /// everyone.</summary>
    /// <remarks>A thread on a breakpoint runs the instruction there out of line (<see cref="DisplacedInstruction"/>) as it
    /// resumes, with everyone else. One whose instruction must run in place is single-stepped first, while the others
    /// are still stopped and the breakpoint bytes still out of memory, so passing one breakpoint never costs removing
    /// and inserting the others.</remarks>
    private void ResumeAll()
    {
        if (ReportPending()) return;
        var displaced = new List<(TraceeThread Thread, DisplacedInstruction Instruction)>();
        foreach (var t in threads.Values.ToList())
        {
            if (t.Running || t.InExitStop || t.InGroupStop || !threads.ContainsKey(t.Tid)) continue;
            var regs = GetRegisters(t);
            if (SiteAt(regs.Rip) is not { } site) continue;
            // A thread with a signal to take takes it first, where it is: the handler may return there.
            if (t.ResumeSignal != 0) continue;
            var plan = Displacement(site, mapWith: t);
            if (plan is { Kind: not DisplacementKind.InPlace }) displaced.Add((t, plan));
            else StepOver(t, site);
        }
        if (ReportPending()) return;
        InsertSiteBytes();
        state = RunState.Running;
        foreach (var (t, plan) in displaced)
        {
            if (t.Running || !threads.ContainsKey(t.Tid)) continue;
            var regs = GetRegisters(t);
            if (regs.Rip == plan.Site && Displace(t, plan, ref regs))
            {
                SetRegisters(t, regs);
                Resume(t, Ptrace.CONT);
            }
        }
        foreach (var t in threads.Values.ToList())
        {
            if (t.Running) continue;
            ReturnToSlot(t);
            Resume(t, t.Stepping ? Ptrace.SINGLESTEP : Ptrace.CONT);
        }
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

    /// <summary>Single-steps a thread over the instruction under a breakpoint in place, while every other thread is
    /// stopped and the breakpoint bytes are out of memory.</summary>
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
        Interlocked.Increment(ref passesInPlace);
        thread.SteppingOverSite = site.Address;
        thread.Stepping = true;
        thread.ClientStep = false;
        if (!Resume(thread, Ptrace.SINGLESTEP)) return;
        var deadline = Environment.TickCount64 + (long)StepOverPatience.TotalMilliseconds;
        while (state != RunState.Gone && thread.Running && threads.ContainsKey(thread.Tid))
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || tracer.TakeWait(TimeSpan.FromMilliseconds(left)) is not { } r)
            {
                // The instruction blocks (a system call at the breakpoint, perhaps waiting on a thread we hold) or the
                // thread was not scheduled: the others resume under every breakpoint, and this one stays single-stepping.
                // Its step trap ends the pass; if the kernel restarts the system call (or the instruction had not run
                // yet) it meets the int3 at the same site, which SteppingOverSite turns into another pass instead of a
                // second hit.
                return;
            }
            HandleWhileStopping(r, null);
        }
        thread.Stepping = false;
        thread.SteppingOverSite = null;
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
        if (r.Gone) return (HandleGone(r, thread), null);

        thread.Running = false;
        ForgetRegisters(thread);
        var sig = r.StopSignal;
        switch (r.Event)
        {
            case Ptrace.EVENT_CLONE:
            {
                var child = (int)EventMessage(thread.Tid);
                // clone without CLONE_THREAD makes a process, whose first stop is taken as a fork child's (see Classify).
                if (child > 0 && !threads.ContainsKey(child) && (Proc.ProcFs.Status(child) is not { } status || status.Tgid == Pid))
                    AddThread(child, thread.Tid);
                return (null, thread);
            }
            case Ptrace.EVENT_FORK:
            {
                // The child's own first stop comes to this thread's wait; it is taken then (see Classify).
                return (null, thread);
            }
            case Ptrace.EVENT_VFORK:
                VforkWindow(opens: true);
                return (null, thread);
            case Ptrace.EVENT_VFORK_DONE:
                VforkWindow(opens: false);
                return (null, thread);
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
        if (SilentSignals.Contains(sig)) return (null, thread);
        return (new ThreadStop(thread.Tid, StopReason.Signal, info, info.Address, null), thread);
    }

    private ThreadStop? ClassifyTrap(TraceeThread thread, SignalInfo info)
    {
        // x86 reports an int3 with SI_KERNEL; TRAP_BRKPT while stepping is the kernel's report of a finished system call.
        if (info.Code == Signals.SI_KERNEL || (info.Code == Signals.TRAP_BRKPT && !thread.Stepping))
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
                // The pc goes back onto the breakpoint; the kernel learns it when the thread resumes (one register write).
                regs.Rip = address;
                CacheRegisters(thread, regs, written: false);
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
                    // The same pass over this site, not a new hit: a system call the kernel restarted onto the int3, or an
                    // in-place step the thread had not finished.
                    thread.Stepping = false;
                    thread.SteppingOverSite = null;
                    return new ThreadStop(thread.Tid, StopReason.Breakpoint, null, address, null, PassOver: true);
                }
                if (site.IsClients)
                {
                    var report = Decide(site, thread, address, regs);
                    return new ThreadStop(thread.Tid, StopReason.Breakpoint, null, address, null, PassOver: !report);
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
        // Without a debug register in use a single-step trap says what it is in its si_code; DR6 is read (and cleared)
        // only when a watchpoint may have fired too.
        var watching = slots.Any(s => s != null);
        var dr6 = watching || !(thread.Stepping && info.Code == Signals.TRAP_TRACE) ? PeekDebugRegister(thread.Tid, 6) : 0;
        if ((dr6 & 0x400F) != 0) PokeDebugRegister(thread.Tid, 6, 0);
        if ((dr6 & 0xF) != 0)
        {
            var index = BitOperations.TrailingZeroCount(dr6 & 0xF);
            if (thread.Stepping)
            {
                thread.Stepping = false;
                thread.ClientStep = false;
                thread.SteppingOverSite = null;
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
            if (!thread.ClientStep) return null;
            thread.StepsTaken++;
            var pc = GetRegisters(thread).Rip;
            if (thread.Range is { } range && range.Contains(pc) && thread.StepsTaken < MaxRangeSteps && !IsCallAt(pc))
            {
                // Still in the range: step on (the thread is resumed with a single step as it stands).
                thread.Stepping = true;
                return null;
            }
            thread.ClientStep = false;
            thread.Range = null;
            return new ThreadStop(thread.Tid, StopReason.Step, null, pc, null, Steps: thread.StepsTaken);
        }
        // A SIGTRAP sent by a process: report it, but do not deliver it (it would kill the program).
        return new ThreadStop(thread.Tid, StopReason.Signal, info, info.Address, null);
    }

    /// <summary>True when the instruction at <paramref name="pc"/> calls (or enters the kernel): a range step stops before it.</summary>
    private bool IsCallAt(ulong pc)
    {
        Span<byte> code = stackalloc byte[15];
        var n = Read(pc, code);
        var decoder = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader(code[..n].ToArray()), pc);
        decoder.Decode(out var instruction);
        return instruction.IsInvalid || instruction.FlowControl is Iced.Intel.FlowControl.Call or Iced.Intel.FlowControl.IndirectCall;
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
        publishedRegisters.TryRemove(thread.Tid, out _);
        PublishThreadIds();
        if (thread.Tid == Pid)
        {
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
        PublishThreadIds();
        if (state != RunState.Starting) Emit(new ThreadCreated(tid, parent));
        return thread;
    }

    private ThreadStop? HandleExec(TraceeThread thread)
    {
        var former = (int)EventMessage(thread.Tid);
        // Every other thread is gone and the exec'ing thread now has the process id.
        threads.Clear();
        var leader = new TraceeThread(Pid);
        threads[Pid] = leader;
        PublishThreadIds();
        lock (sitesGate)
        {
            foreach (var address in sites.Keys) NoteSite(address, -1);
            sites.Clear();
            moribund.Clear();
            insertedSites = 0;
        }
        scratch.Clear();
        publishedRegisters.Clear();
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
        CleanCopy(child);
        LibC.Ptrace(Ptrace.DETACH, child, 0, 0);
        Emit(new ChildDetached(child));
    }

    private void HandleInternalStop(ThreadStop stop)
    {
        FollowForks();
        if (modules != null && stop.Address == modules.BreakAddress)
            foreach (var e in modules.Refresh()) Emit(e);
    }
}
