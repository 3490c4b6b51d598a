namespace TrapDebugger.Targets;

/// <summary>Why the process stopped (every thread is stopped whenever a stop is reported).</summary>
public enum StopReason
{
    /// <summary>A launched program reached its entry point (AT_ENTRY), before any of its own code ran.</summary>
    Entry,
    /// <summary>The process was attached to and every thread interrupted.</summary>
    Attach,
    /// <summary>A thread executed a software breakpoint (int3) the client inserted.</summary>
    Breakpoint,
    /// <summary>A hardware watchpoint or hardware breakpoint fired (DR6 says which).</summary>
    Watchpoint,
    /// <summary>A single-step finished.</summary>
    Step,
    /// <summary>The process replaced its image with execve and stopped in the new image before it ran (breakpoints must be inserted again).</summary>
    Exec,
    /// <summary>The client asked the process to pause.</summary>
    Pause,
    /// <summary>A thread received a signal (a fault, an abort, or one sent by a process).</summary>
    Signal,
}
