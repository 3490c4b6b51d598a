using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>stackTrace</c>, with paging.</summary>
public sealed class StackTraceArguments
{
    /// <summary>The thread.</summary>
    public int ThreadId { get; set; }

    /// <summary>Index of the first frame to return.</summary>
    public int? StartFrame { get; set; }

    /// <summary>Maximum number of frames; 0 or absent means all.</summary>
    public int? Levels { get; set; }

    /// <summary>How to format frame names.</summary>
    public StackFrameFormat? Format { get; set; }
}

/// <summary>Body of the <c>stackTrace</c> response.</summary>
public sealed class StackTraceResponseBody
{
    /// <summary>The frames, innermost first.</summary>
    public List<StackFrame> StackFrames { get; set; } = [];

    /// <summary>Total number of frames, when known.</summary>
    public int? TotalFrames { get; set; }
}

/// <summary>Arguments of <c>scopes</c>.</summary>
public sealed class ScopesArguments
{
    /// <summary>The frame.</summary>
    public int FrameId { get; set; }
}

/// <summary>Body of the <c>scopes</c> response.</summary>
public sealed class ScopesResponseBody
{
    /// <summary>The frame's scopes.</summary>
    public List<Scope> Scopes { get; set; } = [];
}

/// <summary>Arguments of <c>variables</c>, with paging.</summary>
public sealed class VariablesArguments
{
    /// <summary>The container to list.</summary>
    public int VariablesReference { get; set; }

    /// <summary><c>indexed</c> or <c>named</c>; both when absent.</summary>
    public string? Filter { get; set; }

    /// <summary>Index of the first child to return.</summary>
    public int? Start { get; set; }

    /// <summary>Number of children; 0 or absent means all.</summary>
    public int? Count { get; set; }

    /// <summary>How to format values.</summary>
    public ValueFormat? Format { get; set; }
}

/// <summary>Body of the <c>variables</c> response.</summary>
public sealed class VariablesResponseBody
{
    /// <summary>The children.</summary>
    public List<Variable> Variables { get; set; } = [];
}

/// <summary>Arguments of <c>setVariable</c>.</summary>
public sealed class SetVariableArguments
{
    /// <summary>The container of the variable.</summary>
    public int VariablesReference { get; set; }

    /// <summary>The variable's name in the container.</summary>
    public string Name { get; set; } = "";

    /// <summary>The new value, as an expression.</summary>
    public string Value { get; set; } = "";

    /// <summary>How to format the returned value.</summary>
    public ValueFormat? Format { get; set; }
}

/// <summary>Body of the <c>setVariable</c> response.</summary>
public sealed class SetVariableResponseBody
{
    /// <summary>The new value, formatted.</summary>
    public string Value { get; set; } = "";

    /// <summary>The value's type.</summary>
    public string? Type { get; set; }

    /// <summary>Reference to the new value's children.</summary>
    public int? VariablesReference { get; set; }

    /// <summary>Number of named children.</summary>
    public int? NamedVariables { get; set; }

    /// <summary>Number of indexed children.</summary>
    public int? IndexedVariables { get; set; }

    /// <summary>Memory reference of the value.</summary>
    public string? MemoryReference { get; set; }

    /// <summary>Reference for <c>locations</c> giving the location the value points to.</summary>
    public int? ValueLocationReference { get; set; }
}

/// <summary>Arguments of <c>evaluate</c>.</summary>
public sealed class EvaluateArguments
{
    /// <summary>The expression.</summary>
    public string Expression { get; set; } = "";

    /// <summary>Frame in whose scope to evaluate; global scope when absent.</summary>
    public int? FrameId { get; set; }

    /// <summary>Line of the expression, for hovers.</summary>
    public int? Line { get; set; }

    /// <summary>Column of the expression, for hovers.</summary>
    public int? Column { get; set; }

    /// <summary>Source of the expression, for hovers.</summary>
    public Source? Source { get; set; }

    /// <summary><c>watch</c>, <c>repl</c>, <c>hover</c>, <c>clipboard</c> or <c>variables</c>.</summary>
    public string? Context { get; set; }

    /// <summary>How to format the result.</summary>
    public ValueFormat? Format { get; set; }
}

/// <summary>Values of <see cref="EvaluateArguments.Context"/>.</summary>
public static class EvaluateContexts
{
    /// <summary>A watch expression.</summary>
    public const string Watch = "watch";

    /// <summary>Hovering over an expression; must not have side effects.</summary>
    public const string Hover = "hover";

    /// <summary>Typed in the debug console.</summary>
    public const string Repl = "repl";

    /// <summary>"Copy value": the full, untruncated value.</summary>
    public const string Clipboard = "clipboard";
}

/// <summary>Body of the <c>evaluate</c> response.</summary>
public sealed class EvaluateResponseBody
{
    /// <summary>The result, formatted.</summary>
    public string Result { get; set; } = "";

    /// <summary>The result's type.</summary>
    public string? Type { get; set; }

    /// <summary>Display hints.</summary>
    public VariablePresentationHint? PresentationHint { get; set; }

    /// <summary>Reference to the result's children.</summary>
    public int VariablesReference { get; set; }

    /// <summary>Number of named children.</summary>
    public int? NamedVariables { get; set; }

    /// <summary>Number of indexed children.</summary>
    public int? IndexedVariables { get; set; }

    /// <summary>Memory reference of the result.</summary>
    public string? MemoryReference { get; set; }

    /// <summary>Reference for <c>locations</c> giving the location the value points to.</summary>
    public int? ValueLocationReference { get; set; }
}

/// <summary>Arguments of <c>exceptionInfo</c>.</summary>
public sealed class ExceptionInfoArguments
{
    /// <summary>The stopped thread.</summary>
    public int ThreadId { get; set; }
}

/// <summary>Body of the <c>exceptionInfo</c> response: what the trap, signal or fault was.</summary>
public sealed class ExceptionInfoResponseBody
{
    /// <summary>Short id, e.g. <c>SIGILL</c> or <c>verbose-trap</c>.</summary>
    public string ExceptionId { get; set; } = "";

    /// <summary>The human description.</summary>
    public string? Description { get; set; }

    /// <summary><c>never</c>, <c>always</c>, <c>unhandled</c> or <c>userUnhandled</c>.</summary>
    public string BreakMode { get; set; } = "always";

    /// <summary>Structured details.</summary>
    public ExceptionDetails? Details { get; set; }
}
