using System.Text.Json.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>setBreakpoints</c>: the complete set of breakpoints of one source.</summary>
public sealed class SetBreakpointsArguments
{
    /// <summary>The source file.</summary>
    public Source Source { get; set; } = new();

    /// <summary>The breakpoints.</summary>
    public List<SourceBreakpoint>? Breakpoints { get; set; }

    /// <summary>Deprecated: lines of the breakpoints.</summary>
    public List<int>? Lines { get; set; }

    /// <summary>The source was modified since it was last loaded.</summary>
    public bool? SourceModified { get; set; }
}

/// <summary>Body of the responses of the <c>set*Breakpoints</c> requests: one answer per requested breakpoint, in order.</summary>
public sealed class BreakpointsResponseBody
{
    /// <summary>The breakpoints, in the order they were requested.</summary>
    public List<Breakpoint> Breakpoints { get; set; } = [];
}

/// <summary>Arguments of <c>setFunctionBreakpoints</c>.</summary>
public sealed class SetFunctionBreakpointsArguments
{
    /// <summary>All function breakpoints.</summary>
    public List<FunctionBreakpoint> Breakpoints { get; set; } = [];
}

/// <summary>Arguments of <c>setInstructionBreakpoints</c>.</summary>
public sealed class SetInstructionBreakpointsArguments
{
    /// <summary>All instruction breakpoints.</summary>
    public List<InstructionBreakpoint> Breakpoints { get; set; } = [];
}

/// <summary>Arguments of <c>setExceptionBreakpoints</c>.</summary>
public sealed class SetExceptionBreakpointsArguments
{
    /// <summary>Ids of the enabled filters.</summary>
    public List<string> Filters { get; set; } = [];

    /// <summary>Enabled filters with conditions.</summary>
    public List<ExceptionFilterOptions>? FilterOptions { get; set; }

    /// <summary>Exception options.</summary>
    public List<ExceptionOptions>? ExceptionOptions { get; set; }
}

/// <summary>Body of the <c>setExceptionBreakpoints</c> response.</summary>
public sealed class SetExceptionBreakpointsResponseBody
{
    /// <summary>One answer per filter and filter option, in order.</summary>
    public List<Breakpoint>? Breakpoints { get; set; }
}

/// <summary>Arguments of <c>dataBreakpointInfo</c>.</summary>
public sealed class DataBreakpointInfoArguments
{
    /// <summary>Container of the variable <see cref="Name"/>.</summary>
    public int? VariablesReference { get; set; }

    /// <summary>Variable name, or an expression or address when <see cref="AsAddress"/> is set.</summary>
    public string Name { get; set; } = "";

    /// <summary>Frame in which to evaluate <see cref="Name"/>.</summary>
    public int? FrameId { get; set; }

    /// <summary>Number of bytes to watch from the address.</summary>
    public int? Bytes { get; set; }

    /// <summary><see cref="Name"/> is an address.</summary>
    public bool? AsAddress { get; set; }

    /// <summary>One of the advertised breakpoint modes.</summary>
    public string? Mode { get; set; }
}

/// <summary>Body of the <c>dataBreakpointInfo</c> response.</summary>
public sealed class DataBreakpointInfoResponseBody
{
    /// <summary>The id for <c>setDataBreakpoints</c>, or null when no data breakpoint can be set (always written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? DataId { get; set; }

    /// <summary>What would be watched, or why nothing can be.</summary>
    public string Description { get; set; } = "";

    /// <summary>Access types that are possible.</summary>
    public List<string>? AccessTypes { get; set; }

    /// <summary>Whether the breakpoint survives sessions.</summary>
    public bool? CanPersist { get; set; }
}

/// <summary>Arguments of <c>setDataBreakpoints</c>.</summary>
public sealed class SetDataBreakpointsArguments
{
    /// <summary>All data breakpoints.</summary>
    public List<DataBreakpoint> Breakpoints { get; set; } = [];
}
