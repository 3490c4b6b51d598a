namespace TrapDebugger.Native.Errors;

/// <summary>A failure to control a process through ptrace, with a one-sentence message that names the reason and the fix.</summary>
public class TraceException(string message, Exception? inner = null) : TargetException(message, inner);

/// <summary>No process (or thread) with the requested id exists.</summary>
public sealed class NoSuchProcessException(int pid)
    : TraceException($"there is no process with pid {pid}; check the pid (ps -e) and that the process is still running")
{
    /// <summary>The pid that was asked for.</summary>
    public int Pid { get; } = pid;
}

/// <summary>The process ended while it was being attached to.</summary>
public sealed class ProcessExitedDuringAttachException(int pid)
    : TraceException($"process {pid} exited while it was being attached to; start it again and attach while it runs")
{
    /// <summary>The pid that was asked for.</summary>
    public int Pid { get; } = pid;
}

/// <summary>The process is a zombie: it has exited and only waits for its parent to reap it.</summary>
public sealed class ZombieProcessException(int pid, int parentPid)
    : TraceException($"process {pid} is a zombie (it has exited and waits for its parent {parentPid} to reap it), so there is nothing left to debug")
{
    /// <summary>The pid that was asked for.</summary>
    public int Pid { get; } = pid;
}

/// <summary>The debugger was asked to attach to its own process.</summary>
public sealed class SelfAttachException(int pid)
    : TraceException($"pid {pid} is the debugger's own process, which cannot trace itself; attach to another process")
{
    /// <summary>The pid that was asked for.</summary>
    public int Pid { get; } = pid;
}

/// <summary>Why the kernel refused to let us trace a process.</summary>
public enum AttachDeniedReason
{
    /// <summary>Another process already traces it (TracerPid in /proc/pid/status).</summary>
    AlreadyTraced,
    /// <summary>Yama's kernel.yama.ptrace_scope forbids it.</summary>
    PtraceScope,
    /// <summary>We lack CAP_SYS_PTRACE and the process belongs to another user or is not dumpable.</summary>
    MissingCapability,
    /// <summary>The kernel said EPERM for a reason we could not pin down.</summary>
    Other,
}

/// <summary>The kernel refused PTRACE_SEIZE; <see cref="Reason"/> says why and the message says how to fix it.</summary>
public sealed class AttachDeniedException(int pid, AttachDeniedReason reason, string message, int? tracerPid = null)
    : TraceException(message)
{
    /// <summary>The pid that was asked for.</summary>
    public int Pid { get; } = pid;

    /// <summary>Why the attach was refused.</summary>
    public AttachDeniedReason Reason { get; } = reason;

    /// <summary>The pid of the process already tracing it, for <see cref="AttachDeniedReason.AlreadyTraced"/>.</summary>
    public int? TracerPid { get; } = tracerPid;
}

/// <summary>The program could not be started (missing, not executable, bad working directory, spawn failure).</summary>
public sealed class LaunchFailedException(string message, Exception? inner = null) : TraceException(message, inner);

/// <summary>The request needs a stopped process but it is running (or the reverse).</summary>
public sealed class TraceeStateException(string message) : TraceException(message);

/// <summary>The process has exited or been detached; no further requests can be served.</summary>
public sealed class TraceeGoneException(int pid)
    : TraceException($"process {pid} is no longer traced (it exited or was detached); launch or attach again")
{
    /// <summary>The pid of the former tracee.</summary>
    public int Pid { get; } = pid;
}

/// <summary>A thread did not report a stop in time; the kernel or the tracee is not behaving as ptrace(2) documents.</summary>
public sealed class TraceeTimeoutException(string message) : TraceException(message);
