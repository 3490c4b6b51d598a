namespace TrapDebugger.Protocol.Types;

/// <summary>A breakpoint the client asks for at a source line.</summary>
public sealed class SourceBreakpoint
{
    /// <summary>The source line.</summary>
    public int Line { get; set; }

    /// <summary>Optional start column within the line.</summary>
    public int? Column { get; set; }

    /// <summary>Expression that must be true for the breakpoint to stop.</summary>
    public string? Condition { get; set; }

    /// <summary>Expression controlling how many hits are ignored.</summary>
    public string? HitCondition { get; set; }

    /// <summary>When set, the breakpoint logs this message (with <c>{expr}</c> interpolation) instead of stopping.</summary>
    public string? LogMessage { get; set; }

    /// <summary>One of the advertised breakpoint modes.</summary>
    public string? Mode { get; set; }
}

/// <summary>A breakpoint on a function name.</summary>
public sealed class FunctionBreakpoint
{
    /// <summary>The function name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Expression that must be true for the breakpoint to stop.</summary>
    public string? Condition { get; set; }

    /// <summary>Expression controlling how many hits are ignored.</summary>
    public string? HitCondition { get; set; }
}

/// <summary>A breakpoint on a machine instruction.</summary>
public sealed class InstructionBreakpoint
{
    /// <summary>The instruction reference (an address such as <c>0x401000</c>).</summary>
    public string InstructionReference { get; set; } = "";

    /// <summary>Byte offset from <see cref="InstructionReference"/>.</summary>
    public int? Offset { get; set; }

    /// <summary>Expression that must be true for the breakpoint to stop.</summary>
    public string? Condition { get; set; }

    /// <summary>Expression controlling how many hits are ignored.</summary>
    public string? HitCondition { get; set; }

    /// <summary>One of the advertised breakpoint modes.</summary>
    public string? Mode { get; set; }
}

/// <summary>A data breakpoint (watchpoint) on an id obtained from <c>dataBreakpointInfo</c>.</summary>
public sealed class DataBreakpoint
{
    /// <summary>The id returned by <c>dataBreakpointInfo</c>.</summary>
    public string DataId { get; set; } = "";

    /// <summary><c>read</c>, <c>write</c> or <c>readWrite</c>.</summary>
    public string? AccessType { get; set; }

    /// <summary>Expression that must be true for the breakpoint to stop.</summary>
    public string? Condition { get; set; }

    /// <summary>Expression controlling how many hits are ignored.</summary>
    public string? HitCondition { get; set; }
}

/// <summary>The adapter's answer for one requested breakpoint: whether and where it was set.</summary>
public sealed class Breakpoint
{
    /// <summary>Identifier used in <c>breakpoint</c> events and <c>hitBreakpointIds</c>.</summary>
    public int? Id { get; set; }

    /// <summary>Whether the breakpoint could be set.</summary>
    public bool Verified { get; set; }

    /// <summary>Why the breakpoint is not verified, or where it moved.</summary>
    public string? Message { get; set; }

    /// <summary>The source the breakpoint is in.</summary>
    public Source? Source { get; set; }

    /// <summary>The actual line of the breakpoint.</summary>
    public int? Line { get; set; }

    /// <summary>The actual column of the breakpoint.</summary>
    public int? Column { get; set; }

    /// <summary>End line of the breakpoint's range.</summary>
    public int? EndLine { get; set; }

    /// <summary>End column of the breakpoint's range.</summary>
    public int? EndColumn { get; set; }

    /// <summary>Memory reference of the instruction the breakpoint is on.</summary>
    public string? InstructionReference { get; set; }

    /// <summary>Byte offset from <see cref="InstructionReference"/>.</summary>
    public int? Offset { get; set; }

    /// <summary><c>pending</c> or <c>failed</c> when not verified.</summary>
    public string? Reason { get; set; }
}

/// <summary>An exception filter the adapter offers (e.g. "trap instructions"), shown as a checkbox.</summary>
public sealed class ExceptionBreakpointsFilter
{
    /// <summary>The id passed back in <c>setExceptionBreakpoints</c>.</summary>
    public string Filter { get; set; } = "";

    /// <summary>Label shown in the UI.</summary>
    public string Label { get; set; } = "";

    /// <summary>Tooltip text.</summary>
    public string? Description { get; set; }

    /// <summary>Whether the filter is on by default.</summary>
    public bool? Default { get; set; }

    /// <summary>Whether a condition may be attached.</summary>
    public bool? SupportsCondition { get; set; }

    /// <summary>Help text for the condition.</summary>
    public string? ConditionDescription { get; set; }
}

/// <summary>A filter chosen by the client, with an optional condition.</summary>
public sealed class ExceptionFilterOptions
{
    /// <summary>The <see cref="ExceptionBreakpointsFilter.Filter"/> id.</summary>
    public string FilterId { get; set; } = "";

    /// <summary>Expression that must be true for the filter to stop.</summary>
    public string? Condition { get; set; }

    /// <summary>One of the advertised breakpoint modes.</summary>
    public string? Mode { get; set; }
}

/// <summary>Break mode for exceptions matching a path of names.</summary>
public sealed class ExceptionOptions
{
    /// <summary>Path selecting a set of exceptions; all exceptions when absent.</summary>
    public List<ExceptionPathSegment>? Path { get; set; }

    /// <summary><c>never</c>, <c>always</c>, <c>unhandled</c> or <c>userUnhandled</c>.</summary>
    public string BreakMode { get; set; } = "";
}

/// <summary>One segment of an <see cref="ExceptionOptions.Path"/>.</summary>
public sealed class ExceptionPathSegment
{
    /// <summary>When true the segment matches anything but <see cref="Names"/>.</summary>
    public bool? Negate { get; set; }

    /// <summary>Names this segment matches.</summary>
    public List<string> Names { get; set; } = [];
}

/// <summary>A breakpoint mode the adapter supports (e.g. hardware vs software).</summary>
public sealed class BreakpointMode
{
    /// <summary>The mode's id.</summary>
    public string Mode { get; set; } = "";

    /// <summary>Label shown in the UI.</summary>
    public string Label { get; set; } = "";

    /// <summary>Tooltip text.</summary>
    public string? Description { get; set; }

    /// <summary><c>source</c>, <c>exception</c>, <c>data</c> or <c>instruction</c>.</summary>
    public List<string> AppliesTo { get; set; } = [];
}
