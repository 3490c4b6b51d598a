using System.Text.Json;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Events;

/// <summary>Body of <c>stopped</c>: why execution stopped, with the human description the exception widget shows.</summary>
public sealed class StoppedEventBody
{
    /// <summary><c>step</c>, <c>breakpoint</c>, <c>exception</c>, <c>pause</c>, <c>entry</c>, <c>goto</c>, <c>function breakpoint</c>, <c>data breakpoint</c> or <c>instruction breakpoint</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>Full reason, shown in the UI.</summary>
    public string? Description { get; set; }

    /// <summary>The thread that stopped.</summary>
    public int? ThreadId { get; set; }

    /// <summary>Do not move the focus to the stopped thread.</summary>
    public bool? PreserveFocusHint { get; set; }

    /// <summary>Short additional text, e.g. the trap kind.</summary>
    public string? Text { get; set; }

    /// <summary>All threads stopped (this adapter is all-stop).</summary>
    public bool? AllThreadsStopped { get; set; }

    /// <summary>Ids of the breakpoints that were hit.</summary>
    public List<int>? HitBreakpointIds { get; set; }
}

/// <summary>Values of <see cref="StoppedEventBody.Reason"/>.</summary>
public static class StopReasons
{
    /// <summary>A step finished.</summary>
    public const string Step = "step";

    /// <summary>A source breakpoint was hit.</summary>
    public const string Breakpoint = "breakpoint";

    /// <summary>A trap, signal or fault.</summary>
    public const string Exception = "exception";

    /// <summary>The user paused.</summary>
    public const string Pause = "pause";

    /// <summary>Stopped at entry.</summary>
    public const string Entry = "entry";

    /// <summary>A function breakpoint was hit.</summary>
    public const string FunctionBreakpoint = "function breakpoint";

    /// <summary>A data breakpoint was hit.</summary>
    public const string DataBreakpoint = "data breakpoint";

    /// <summary>An instruction breakpoint was hit.</summary>
    public const string InstructionBreakpoint = "instruction breakpoint";
}

/// <summary>Body of <c>continued</c>.</summary>
public sealed class ContinuedEventBody
{
    /// <summary>The thread that continued.</summary>
    public int ThreadId { get; set; }

    /// <summary>All threads continued.</summary>
    public bool? AllThreadsContinued { get; set; }
}

/// <summary>Body of <c>thread</c>.</summary>
public sealed class ThreadEventBody
{
    /// <summary><c>started</c> or <c>exited</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The thread.</summary>
    public int ThreadId { get; set; }
}

/// <summary>Body of <c>module</c>.</summary>
public sealed class ModuleEventBody
{
    /// <summary><c>new</c>, <c>changed</c> or <c>removed</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The module.</summary>
    public Module Module { get; set; } = new();
}

/// <summary>Body of <c>breakpoint</c>.</summary>
public sealed class BreakpointEventBody
{
    /// <summary><c>changed</c>, <c>new</c> or <c>removed</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The breakpoint, identified by its id.</summary>
    public Breakpoint Breakpoint { get; set; } = new();
}

/// <summary>Body of <c>output</c>.</summary>
public sealed class OutputEventBody
{
    /// <summary><c>console</c>, <c>important</c>, <c>stdout</c>, <c>stderr</c> or <c>telemetry</c>.</summary>
    public string? Category { get; set; }

    /// <summary>The text.</summary>
    public string Output { get; set; } = "";

    /// <summary><c>start</c>, <c>startCollapsed</c> or <c>end</c>.</summary>
    public string? Group { get; set; }

    /// <summary>Reference to structured output.</summary>
    public int? VariablesReference { get; set; }

    /// <summary>Source that produced the output.</summary>
    public Source? Source { get; set; }

    /// <summary>Line that produced the output.</summary>
    public int? Line { get; set; }

    /// <summary>Column that produced the output.</summary>
    public int? Column { get; set; }

    /// <summary>Extra data, e.g. for telemetry.</summary>
    public JsonElement? Data { get; set; }

    /// <summary>Reference for <c>locations</c> giving the source of the output.</summary>
    public int? LocationReference { get; set; }
}

/// <summary>Values of <see cref="OutputEventBody.Category"/>.</summary>
public static class OutputCategories
{
    /// <summary>Adapter messages for the debug console.</summary>
    public const string Console = "console";

    /// <summary>Messages the client should show prominently (VS Code shows a notification).</summary>
    public const string Important = "important";

    /// <summary>The debuggee's standard output.</summary>
    public const string Stdout = "stdout";

    /// <summary>The debuggee's standard error.</summary>
    public const string Stderr = "stderr";
}

/// <summary>Body of <c>process</c>.</summary>
public sealed class ProcessEventBody
{
    /// <summary>The process name, usually the program path.</summary>
    public string Name { get; set; } = "";

    /// <summary>The process id.</summary>
    public int? SystemProcessId { get; set; }

    /// <summary>The process runs on this machine.</summary>
    public bool? IsLocalProcess { get; set; }

    /// <summary><c>launch</c>, <c>attach</c> or <c>attachForSuspendedLaunch</c>.</summary>
    public string? StartMethod { get; set; }

    /// <summary>Pointer size in bytes.</summary>
    public int? PointerSize { get; set; }
}

/// <summary>Body of <c>exited</c>.</summary>
public sealed class ExitedEventBody
{
    /// <summary>The exit code (128 + signal number when killed by a signal, as shells report it).</summary>
    public int ExitCode { get; set; }
}

/// <summary>Body of <c>terminated</c>.</summary>
public sealed class TerminatedEventBody
{
    /// <summary>Data passed back as <c>__restart</c> when the client restarts the session.</summary>
    public JsonElement? Restart { get; set; }
}

/// <summary>Body of <c>invalidated</c>.</summary>
public sealed class InvalidatedEventBody
{
    /// <summary><c>all</c>, <c>stacks</c>, <c>threads</c> or <c>variables</c>.</summary>
    public List<string>? Areas { get; set; }

    /// <summary>Only this thread is affected.</summary>
    public int? ThreadId { get; set; }

    /// <summary>Only this frame is affected.</summary>
    public int? StackFrameId { get; set; }
}
