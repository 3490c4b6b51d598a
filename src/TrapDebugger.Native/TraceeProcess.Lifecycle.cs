using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Launch;
using TrapDebugger.Native.Memory;
using TrapDebugger.Native.Modules;
using TrapDebugger.Native.Proc;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

// Launch, attach and detach: the transitions into and out of tracing.
public sealed partial class TraceeProcess
{
    private const int TraceOptions = Ptrace.O_TRACECLONE | Ptrace.O_TRACEEXEC | Ptrace.O_TRACEEXIT | Ptrace.O_TRACEFORK | Ptrace.O_TRACEVFORK
        | Ptrace.O_TRACEVFORKDONE;
    private const int PTRACE_O_EXITKILL = 0x100000;
    private const int CAP_SYS_PTRACE = 19;

    private void DoLaunch(string path, LaunchOptions options)
    {
        launched = true;
        var spawned = Spawner.Spawn(path, options);
        Pid = spawned.Pid;
        memory = new ProcessMemory(Pid);
        if (spawned.StdinFd >= 0) StandardInput = new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(spawned.StdinFd, true));
        if (spawned.StdoutFd >= 0) StandardOutput = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(spawned.StdoutFd, true));
        if (spawned.StderrFd >= 0) StandardError = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(spawned.StderrFd, true));

        // 1. The shell stops itself (a job-control stop of our child, reaped by the waiter with WUNTRACED).
        var first = TakeWaitOrThrow("the launcher shell did not stop itself");
        if (first.Gone)
            throw new LaunchFailedException($"the launcher shell /bin/sh ended ({first}) before it could be traced; check that /bin/sh works");
        // 2. Seize it and let it continue into exec.
        if (LibC.Ptrace(Ptrace.SEIZE, Pid, 0, TraceOptions | PTRACE_O_EXITKILL) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Kill(Pid, Signals.SIGKILL);
            throw new LaunchFailedException($"PTRACE_SEIZE of the launched program failed ({Marshal.GetPInvokeErrorMessage(errno)}); {DenialHint()}");
        }
        threads[Pid] = new TraceeThread(Pid);
        PublishThreadIds();
        LibC.Kill(Pid, Signals.SIGCONT);
        while (true)
        {
            var r = TakeWaitOrThrow("the launched program did not reach exec");
            if (r.Gone)
            {
                var why = r.Exited && r.ExitCode == 127 ? $"'{path}' could not be found or its interpreter is missing"
                    : r.Exited && r.ExitCode == 126 ? $"'{path}' could not be executed (not a valid executable for this system, or permission denied)"
                    : $"the launcher ended ({r})";
                Finish(new ProcessExited(r.Exited ? r.ExitCode : 128 + r.TermSignal));
                throw new LaunchFailedException($"launching failed: {why}; check the program path and that it is a Linux x86-64 executable");
            }
            if (r.Event == Ptrace.EVENT_EXEC) break;
            var deliver = r.Event == 0 && r.StopSignal is not (Signals.SIGCONT or Signals.SIGSTOP) ? r.StopSignal : 0;
            LibC.Ptrace(Ptrace.CONT, Pid, 0, deliver);
        }
        threads[Pid].Running = false;
        HandleExec(threads[Pid]);

        // 3. Run through the dynamic loader to the program's own entry point.
        var auxv = ProcFs.Auxv(Pid);
        entryAddress = auxv[AuxVector.AT_ENTRY] ?? throw new LaunchFailedException($"process {Pid} has no AT_ENTRY in its auxiliary vector; it is not an ELF program");
        var entry = AcquireSite(entryAddress);
        entry.Internal = true;
        Resume(threads[Pid], Ptrace.CONT);
        while (true)
        {
            var r = TakeWaitOrThrow("the program did not reach its entry point");
            var (stop, thread) = Classify(r);
            if (state == RunState.Gone)
                throw new LaunchFailedException($"the program ended before reaching its entry point ({r}); it may lack a library (run ldd on it)");
            if (stop?.Reason == StopReason.Entry) break;
            if (stop != null && stop.Reason == StopReason.Signal)
                throw new LaunchFailedException($"the program received {stop.Signal} in the dynamic loader before its entry point; run it without the debugger to see why");
            if (thread != null && !thread.Running && threads.ContainsKey(thread.Tid)) Resume(thread, Ptrace.CONT);
        }
        entry.Internal = false;
        ReleaseSite(entry);
        StartModuleTracking(auxv);
        EnterStopped();
        ReportStop(new ThreadStop(Pid, StopReason.Entry, null, entryAddress, null));
    }

    private void DoAttach(int pid)
    {
        var self = LibC.GetPid();
        if (pid <= 0) throw new NoSuchProcessException(pid);
        if (pid == self) throw new SelfAttachException(pid);
        var status = ProcFs.Status(pid) ?? throw new NoSuchProcessException(pid);
        if (status.Tgid == self) throw new SelfAttachException(pid);
        // A thread id names its process.
        pid = status.Tgid != 0 ? status.Tgid : pid;
        status = ProcFs.Status(pid) ?? throw new NoSuchProcessException(pid);
        if (status.State is 'Z' or 'X') throw new ZombieProcessException(pid, status.ParentPid);
        if (status.TracerPid != 0) throw AlreadyTraced(pid, status.TracerPid);
        Pid = pid;
        memory = new ProcessMemory(Pid);

        // Seize every thread; threads created meanwhile by seized threads are attached by the kernel (TRACECLONE),
        // those created by threads not yet seized appear in the next scan. Scan until nothing new appears.
        for (var round = 0; round < 1000; round++)
        {
            var tasks = ProcFs.Tasks(Pid);
            if (tasks.Count == 0 && threads.Count == 0)
                throw ProcFs.Status(Pid) == null ? new ProcessExitedDuringAttachException(Pid) : new NoSuchProcessException(Pid);
            var added = false;
            foreach (var tid in tasks)
            {
                if (threads.ContainsKey(tid)) continue;
                if (LibC.Ptrace(Ptrace.SEIZE, tid, 0, TraceOptions) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.ESRCH) continue; // the thread exited
                    var threadStatus = ProcFs.ThreadStatus(Pid, tid);
                    if (errno == Errno.EPERM && threadStatus is { TracerPid: > 0 } && ProcFs.ProcessOfThread(threadStatus.TracerPid) == self)
                    {
                        // Already ours: created by a seized thread and attached automatically.
                    }
                    else if (errno == Errno.EPERM && threadStatus is null or { State: 'Z' or 'X' })
                    {
                        // The kernel refuses to seize a thread that is exiting.
                        if (tid != Pid) continue;
                        UndoPartialAttach();
                        throw new ProcessExitedDuringAttachException(Pid);
                    }
                    else if (errno == Errno.EPERM)
                    {
                        UndoPartialAttach();
                        throw Denied(Pid);
                    }
                    else
                    {
                        UndoPartialAttach();
                        throw new TraceException($"PTRACE_SEIZE of thread {tid} of process {Pid} failed ({Marshal.GetPInvokeErrorMessage(errno)})");
                    }
                }
                var thread = new TraceeThread(tid) { Running = true };
                threads[tid] = thread;
                added = true;
            }
            if (!added) break;
        }
        if (!threads.ContainsKey(Pid))
        {
            UndoPartialAttach();
            throw new ProcessExitedDuringAttachException(Pid);
        }
        PublishThreadIds();
        try
        {
            StopAll(null, report: false);
        }
        catch (TraceeTimeoutException)
        {
            UndoPartialAttach();
            throw;
        }
        if (state == RunState.Gone) throw new ProcessExitedDuringAttachException(Pid);
        // Attaching cannot tell new threads from old ones: none of them is "awaiting" anything now.
        foreach (var t in threads.Values) t.AwaitingInitialStop = false;
        StartModuleTracking(ProcFs.Auxv(Pid));
        ReportStop(new ThreadStop(Pid, StopReason.Attach, null, 0, null));
    }

    private void UndoPartialAttach()
    {
        foreach (var t in threads.Values) LibC.Ptrace(Ptrace.DETACH, t.Tid, 0, 0);
        threads.Clear();
        state = RunState.Gone;
    }

    private static TraceException AlreadyTraced(int pid, int tracerThread)
    {
        var tracer = ProcFs.ProcessOfThread(tracerThread);
        var tracerName = ProcFs.Comm(tracer) is { } c ? $" ({c})" : "";
        return new AttachDeniedException(pid, AttachDeniedReason.AlreadyTraced,
            $"process {pid} is already traced by process {tracer}{tracerName}; detach that debugger or tracer first, then attach again", tracer);
    }

    private static TraceException Denied(int pid)
    {
        var status = ProcFs.Status(pid);
        if (status == null) return new ProcessExitedDuringAttachException(pid);
        if (status.State is 'Z' or 'X') return new ProcessExitedDuringAttachException(pid);
        if (status.TracerPid != 0 && ProcFs.ProcessOfThread(status.TracerPid) != LibC.GetPid()) return AlreadyTraced(pid, status.TracerPid);
        var scope = ProcFs.PtraceScope();
        var hasCap = ((ProcFs.Status(LibC.GetPid())?.EffectiveCapabilities ?? 0) & (1UL << CAP_SYS_PTRACE)) != 0;
        if (scope is 3)
            return new AttachDeniedException(pid, AttachDeniedReason.PtraceScope,
                $"kernel.yama.ptrace_scope is 3, which forbids every attach until reboot; attach is impossible on this system, launch the program under the debugger instead");
        if (scope is > 0 && !hasCap)
            return new AttachDeniedException(pid, AttachDeniedReason.PtraceScope,
                $"kernel.yama.ptrace_scope is {scope}, which forbids attaching to process {pid} (not our child); run 'sysctl kernel.yama.ptrace_scope=0' or give the debugger CAP_SYS_PTRACE");
        if (!hasCap)
            return new AttachDeniedException(pid, AttachDeniedReason.MissingCapability,
                $"the debugger lacks CAP_SYS_PTRACE and process {pid} belongs to another user or is not dumpable; run the debugger as that user or as root");
        return new AttachDeniedException(pid, AttachDeniedReason.Other,
            $"the kernel refused to trace process {pid} (EPERM) although we hold CAP_SYS_PTRACE; a security module (SELinux, AppArmor, seccomp) may forbid ptrace here");
    }

    private static string DenialHint()
    {
        var scope = ProcFs.PtraceScope();
        return scope is > 0 ? $"kernel.yama.ptrace_scope is {scope}; set it to 0 or give the debugger CAP_SYS_PTRACE" : "check that ptrace is allowed in this container";
    }

    /// <summary>Restores every patched byte and debug register, hands each thread back the signal it stopped with,
    /// and lets the process run on untraced; with <paramref name="keepStopped"/> the process is left in a job-control
    /// stop (SIGSTOP, state T, as after Ctrl-Z) for another debugger or a later <c>kill -CONT</c>.</summary>
    public Task DetachAsync(bool keepStopped = false) => tracer.Invoke(() => DoDetach(keepStopped));

    private void DoDetach(bool keepStopped)
    {
        RequireAlive();
        if (state == RunState.Running) StopAll(null, report: false);
        if (state == RunState.Gone) return;
        // Threads on their way out cannot be detached; collect their deaths so nothing of ours is left to reap.
        var deadline = Environment.TickCount64 + 2000;
        while (state != RunState.Gone && threads.Values.Any(t => t.Exiting) && Environment.TickCount64 < deadline)
        {
            if (tracer.TakeWait(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64))) is { } r)
                HandleWhileStopping(r, null);
        }
        if (state == RunState.Gone) return;
        // Any thread may hold a SIGTRAP behind the stop we saw: a step's, or an int3's or a debug register's that it hit as
        // PTRACE_INTERRUPT arrived (the kernel reports the interrupt before dequeuing the signal). Untraced, it kills the program.
        foreach (var t in threads.Values.Where(t => !t.Running && !t.InGroupStop).ToList())
            DropPendingTrap(t);
        if (state == RunState.Gone) return;
        RemoveAllSites();
        foreach (var t in threads.Values) t.RestartInSlot = null;
        UnmapScratchPages();
        if (slots.Any(s => s != null))
        {
            Array.Clear(slots);
            foreach (var t in threads.Values.Where(t => !t.Running)) ApplyDebugRegisters(t.Tid);
        }
        // Queued while every thread is still in a ptrace stop, the process-wide SIGSTOP is pending when they leave it,
        // so the process enters its job-control stop as the threads come out of the detach.
        if (keepStopped) LibC.Kill(Pid, Signals.SIGSTOP);
        foreach (var t in threads.Values.Where(t => !t.Running))
        {
            WriteBackRegisters(t);
            PokeDebugRegister(t.Tid, 6, 0);
            // Hand back the signal the thread stopped with; a group-stopped thread stays stopped, as it would untraced.
            LibC.Ptrace(Ptrace.DETACH, t.Tid, 0, t.InGroupStop ? 0 : t.ResumeSignal);
        }
        Finish(new ProcessDetached());
    }

    /// <summary>Takes a pending SIGTRAP (of a finished single-step, a breakpoint or a watchpoint) out of a thread's queue
    /// before detaching.</summary>
    /// <remarks>A thread interrupted just as it finished a step, executed one of our int3s or tripped a debug register may
    /// hold that SIGTRAP behind the interrupt that stopped it; untraced, the signal would kill the program. A resumed
    /// thread takes its pending signals before executing any instruction, so resuming it lets the tracer see the SIGTRAP
    /// (a breakpoint's is classified while the int3 is still in place, so the pc is moved back onto the instruction)
    /// and drop it.</remarks>
    private void DropPendingTrap(TraceeThread thread)
    {
        if (!HasPendingSignal(Pid, thread.Tid, Signals.SIGTRAP)) return;
        var keep = thread.ResumeSignal;
        thread.Stepping = false;
        thread.SteppingOverSite = null;
        thread.ResumeSignal = 0;
        if (!Resume(thread, Ptrace.CONT)) return;
        var deadline = Environment.TickCount64 + (long)StopTimeout.TotalMilliseconds;
        while (state != RunState.Gone && thread.Running && threads.ContainsKey(thread.Tid))
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || tracer.TakeWait(TimeSpan.FromMilliseconds(left)) is not { } r) return;
            HandleWhileStopping(r, null);
        }
        // The SIGTRAP stop replaced the stop the thread had: hand back the signal of that one.
        if (thread.ResumeSignal == 0) thread.ResumeSignal = keep;
    }

    private static bool HasPendingSignal(int pid, int tid, int signal) =>
        ProcFs.ThreadStatus(pid, tid) is { } status && (status.PendingSignals & (1UL << (signal - 1))) != 0;

    private void StartModuleTracking(AuxVector auxv)
    {
        try
        {
            modules = LinkMapTracker.Create(this, auxv, Pid);
        }
        catch (TraceException)
        {
            modules = null;
        }
        if (modules == null) return;
        foreach (var e in modules.Refresh()) Emit(e);
        if (modules.BreakAddress != 0)
        {
            try { AcquireSite(modules.BreakAddress).Internal = true; }
            catch (TraceException) { }
        }
    }

    private WaitResult TakeWaitOrThrow(string what) =>
        tracer.TakeWait(StopTimeout) ?? throw new LaunchFailedException($"{what} within {StopTimeout.TotalSeconds:0} s; the system may be overloaded, retry");
}
