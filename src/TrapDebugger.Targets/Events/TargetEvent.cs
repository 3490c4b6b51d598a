namespace TrapDebugger.Targets;

/// <summary>Something that happened to the target, in the order it was observed: stops, threads and modules coming and
/// going, and last the end of the process (exit, death or detach).</summary>
public abstract record TargetEvent;

/// <summary>The whole process is stopped because of <see cref="ThreadId"/>; nothing runs until the client resumes it.</summary>
/// <param name="ThreadId">The thread whose event caused the stop.</param>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Signal">The signal's siginfo for <see cref="StopReason.Signal"/> stops.</param>
/// <param name="Address">The breakpoint address, the watched address, or the program counter for other stops.</param>
/// <param name="Watchpoint">The debug-register slot that fired, for watchpoint stops.</param>
/// <param name="PendingStops">How many other threads have stops of their own waiting to be reported on the next resume.</param>
public sealed record ProcessStopped(int ThreadId, StopReason Reason, SignalInfo? Signal, ulong Address, WatchpointHit? Watchpoint, int PendingStops) : TargetEvent
{
    /// <summary>For the end of a step: how many instructions the thread executed (several for a range step).</summary>
    public int InstructionsStepped { get; init; }
}

/// <summary>A new thread appeared in the process.</summary>
public sealed record ThreadCreated(int ThreadId, int ParentThreadId) : TargetEvent;

/// <summary>A thread (not the last) left the process.</summary>
public sealed record ThreadExited(int ThreadId, int ExitCode) : TargetEvent;

/// <summary>The process replaced its image with execve; breakpoints and modules of the old image are gone.</summary>
public sealed record ProcessExecuted(string ExecutablePath, int FormerThreadId) : TargetEvent;

/// <summary>A forked child was detached (it runs untraced, with the parent's breakpoint bytes removed).</summary>
public sealed record ChildDetached(int ChildPid) : TargetEvent;

/// <summary>The program forked and the target kept the other process (<see cref="ForkOptions.KeepOther"/>): the child, or,
/// when the target now follows the child (<paramref name="FollowingChild"/>), the parent it left.</summary>
/// <param name="ChildPid">The new process.</param>
/// <param name="Other">The process the target does not follow, stopped, with no breakpoint and no debug register; its first
/// event is an <see cref="StopReason.Attach"/> stop. Null when it was let go (only a parent left behind can be).</param>
/// <param name="FollowingChild">True when the target switched to the child: its process id, threads and memory are the
/// child's from this event on; <paramref name="FormerThreadIds"/> are the parent's threads it no longer has.</param>
/// <param name="FormerThreadIds">With <paramref name="FollowingChild"/>, the threads of the parent.</param>
public sealed record ProcessForked(int ChildPid, ITarget? Other, bool FollowingChild, IReadOnlyList<int> FormerThreadIds) : TargetEvent;

/// <summary>The process exited normally with <see cref="ExitCode"/>; this is the last event.</summary>
public sealed record ProcessExited(int ExitCode) : TargetEvent;

/// <summary>The process was terminated by <see cref="Signal"/>; <see cref="LastSignalInfo"/> is the siginfo of that signal when the tracer saw it delivered.</summary>
public sealed record ProcessKilled(int Signal, bool CoreDumped, SignalInfo? LastSignalInfo) : TargetEvent;

/// <summary>The tracer let go of the process, which runs on untraced; this is the last event.</summary>
public sealed record ProcessDetached : TargetEvent;

/// <summary>A shared object was mapped (found through the dynamic loader's r_debug list or /proc/pid/maps).</summary>
public sealed record ModuleLoaded(string Path, ulong LoadBias) : TargetEvent;

/// <summary>A shared object was unmapped.</summary>
public sealed record ModuleUnloaded(string Path, ulong LoadBias) : TargetEvent;

/// <summary>The target can no longer be reached (the connection to a remote agent broke); the agent side lets the
/// process go. This is the last event; <see cref="Message"/> is the one sentence that tells the user.</summary>
public sealed record TargetConnectionLost(string Message) : TargetEvent;
