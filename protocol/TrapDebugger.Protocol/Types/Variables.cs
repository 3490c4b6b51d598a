namespace TrapDebugger.Protocol.Types;

/// <summary>A named group of variables of a frame (locals, registers, globals).</summary>
public sealed class Scope
{
    /// <summary>Name shown in the UI.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>arguments</c>, <c>locals</c>, <c>registers</c> or <c>returnValue</c>.</summary>
    public string? PresentationHint { get; set; }

    /// <summary>Reference passed to <c>variables</c> to list the scope.</summary>
    public int VariablesReference { get; set; }

    /// <summary>Number of named variables.</summary>
    public int? NamedVariables { get; set; }

    /// <summary>Number of indexed variables.</summary>
    public int? IndexedVariables { get; set; }

    /// <summary>Whether listing the scope is expensive.</summary>
    public bool Expensive { get; set; }

    /// <summary>The scope's source.</summary>
    public Source? Source { get; set; }

    /// <summary>Start line of the scope's range.</summary>
    public int? Line { get; set; }

    /// <summary>Start column of the scope's range.</summary>
    public int? Column { get; set; }

    /// <summary>End line of the scope's range.</summary>
    public int? EndLine { get; set; }

    /// <summary>End column of the scope's range.</summary>
    public int? EndColumn { get; set; }
}

/// <summary>A variable: name, value, type and a reference to its children.</summary>
public sealed class Variable
{
    /// <summary>The variable's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The value, formatted for display.</summary>
    public string Value { get; set; } = "";

    /// <summary>The type name.</summary>
    public string? Type { get; set; }

    /// <summary>Display hints.</summary>
    public VariablePresentationHint? PresentationHint { get; set; }

    /// <summary>Expression that evaluates to this variable (for "Add to watch" and "Copy as expression").</summary>
    public string? EvaluateName { get; set; }

    /// <summary>When above zero, the reference passed to <c>variables</c> to list children.</summary>
    public int VariablesReference { get; set; }

    /// <summary>Number of named children.</summary>
    public int? NamedVariables { get; set; }

    /// <summary>Number of indexed children.</summary>
    public int? IndexedVariables { get; set; }

    /// <summary>Memory reference of the variable's storage (an address such as <c>0x7ffd1234</c>).</summary>
    public string? MemoryReference { get; set; }

    /// <summary>Reference for <c>locations</c> giving the declaration.</summary>
    public int? DeclarationLocationReference { get; set; }

    /// <summary>Reference for <c>locations</c> giving the location the value points to.</summary>
    public int? ValueLocationReference { get; set; }
}

/// <summary>Display hints for a variable.</summary>
public sealed class VariablePresentationHint
{
    /// <summary>E.g. <c>property</c>, <c>method</c>, <c>class</c>, <c>data</c>, <c>virtual</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>E.g. <c>static</c>, <c>constant</c>, <c>readOnly</c>, <c>rawString</c>.</summary>
    public List<string>? Attributes { get; set; }

    /// <summary>E.g. <c>public</c>, <c>private</c>.</summary>
    public string? Visibility { get; set; }

    /// <summary>Whether the value is fetched only when the user expands it.</summary>
    public bool? Lazy { get; set; }
}
