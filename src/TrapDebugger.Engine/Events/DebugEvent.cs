using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Traps;

namespace TrapDebugger.Engine.Events;

/// <summary>Something the debugger reports to its client (a DAP adapter or the CLI), in the order it happened.</summary>
public abstract record DebugEvent;

/// <summary>Why the process stopped.</summary>
public enum StopCause
{
    /// <summary>Launched and stopped before the program's first instruction (stopOnEntry).</summary>
    Entry,
    /// <summary>Attached to a running process.</summary>
    Attach,
    /// <summary>A source-line breakpoint was hit.</summary>
    Breakpoint,
    /// <summary>A function breakpoint was hit.</summary>
    FunctionBreakpoint,
    /// <summary>An instruction breakpoint was hit.</summary>
    InstructionBreakpoint,
    /// <summary>A step finished.</summary>
    Step,
    /// <summary>The client paused the process.</summary>
    Pause,
    /// <summary>A signal, trap or fault stopped the program (see <see cref="StopInfo.Diagnosis"/>).</summary>
    Exception,
    /// <summary>The program ran execve and stopped in the new image.</summary>
    Exec,
    /// <summary>Run-to-location reached its target.</summary>
    Goto,
    /// <summary>A data breakpoint (hardware watchpoint) saw its memory accessed.</summary>
    DataBreakpoint,
}

/// <summary>The facts of one stop: which thread, why, which breakpoints, and for signals the diagnosis.</summary>
/// <param name="ThreadId">The thread that caused the stop (all threads are stopped).</param>
/// <param name="Cause">Why.</param>
/// <param name="Description">A one-line human description (the diagnosis's description for exceptions).</param>
/// <param name="HitBreakpointIds">The breakpoints that were hit, when any.</param>
/// <param name="Diagnosis">The trap/fault diagnosis for <see cref="StopCause.Exception"/> stops.</param>
/// <param name="SelectedFrameIndex">The frame the user should see selected (the diagnosis's landing frame, else 0).</param>
public sealed record StopInfo(int ThreadId, StopCause Cause, string Description, IReadOnlyList<int> HitBreakpointIds, StopDiagnosis? Diagnosis, int SelectedFrameIndex)
{
    /// <summary>What the signal of a signal stop would do to the program if passed on.</summary>
    public SignalFate Fate { get; init; }

    /// <summary>The language event of a stop at a runtime's event breakpoint (a Rust panic, a C++ throw).</summary>
    public LanguageEvent Event { get; init; }

    /// <summary>The siginfo of a signal stop, as the target reported it.</summary>
    public SignalInfo? Signal { get; init; }
}

/// <summary>What a signal does to the program when it is passed on: this decides whether a debugger must stop for it.</summary>
public enum SignalFate
{
    /// <summary>The stop is not for a signal.</summary>
    NotASignal,
    /// <summary>The program dies of it: its default action terminates (or dumps core) and the program neither catches nor
    /// ignores it, or it is a fault the kernel forces on a thread that blocks or ignores it.</summary>
    Fatal,
    /// <summary>The program has a handler for it and the thread does not block it.</summary>
    Handled,
    /// <summary>The program ignores it, or its default action is to ignore it, stop or continue.</summary>
    Harmless,
}

/// <summary>The process stopped; every thread is stopped (all-stop).</summary>
public sealed record StoppedEvent(StopInfo Stop) : DebugEvent;

/// <summary>The process resumed; every thread runs.</summary>
public sealed record ContinuedEvent(int ThreadId) : DebugEvent;

/// <summary>A thread started or exited.</summary>
public sealed record ThreadEvent(int ThreadId, bool Started) : DebugEvent;

/// <summary>A module was loaded or unloaded.</summary>
public sealed record ModuleEvent(Module Module, bool Loaded) : DebugEvent;

/// <summary>Text for the debug console (category "console"), the program's output ("stdout"/"stderr"), or logpoint output.</summary>
public sealed record OutputEvent(string Category, string Text) : DebugEvent;

/// <summary>A breakpoint changed: resolved when a module loaded, or moved.</summary>
public sealed record BreakpointChangedEvent(Breakpoint Breakpoint) : DebugEvent;

/// <summary>The program forked and the debugger kept the other process (<see cref="TargetProcess.SetForkFollowingAsync"/>): the
/// child, or, when the debugger follows the child, the parent it left. The process is stopped at its first stop, with no
/// breakpoint; its receiver runs it, watched for a crash (<see cref="ForkedProcessWatch"/>, when <paramref name="Debug"/> is
/// false: detach-on-fork), or debugs it as any process, and disposes it in the end.</summary>
/// <param name="Process">The other process.</param>
/// <param name="ParentId">The process that forked.</param>
/// <param name="IsParent">True when <paramref name="Process"/> is the parent (the debugger followed the child).</param>
/// <param name="Debug">True when the user asked to debug both processes (detach-on-fork off).</param>
public sealed record ForkedProcessEvent(TargetProcess Process, int ParentId, bool IsParent, bool Debug) : DebugEvent;

/// <summary>The debugger follows a fork's child from now on: the process id, threads and memory are the child's, with the
/// same breakpoints; the parent's threads are gone (their <see cref="ThreadEvent"/>s come first).</summary>
public sealed record FollowedChildEvent(int ChildId, int ParentId) : DebugEvent;

/// <summary>The process ended; <paramref name="ExitCode"/> for an exit, <paramref name="Signal"/> for a death by signal; this is the last event.</summary>
public sealed record ExitedEvent(int? ExitCode, int? Signal, string Description) : DebugEvent
{
    /// <summary>Set when the program checked for a debugger (<c>ptrace(PTRACE_TRACEME)</c>) before it ended: one clause
    /// saying so and where, also part of <see cref="Description"/>.</summary>
    public string? DebuggerCheck { get; init; }
}
