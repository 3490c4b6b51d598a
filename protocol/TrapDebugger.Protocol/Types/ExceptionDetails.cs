namespace TrapDebugger.Protocol.Types;

/// <summary>Details of the exception (trap, signal, fault) that stopped a thread.</summary>
public sealed class ExceptionDetails
{
    /// <summary>The full message.</summary>
    public string? Message { get; set; }

    /// <summary>Short type name, e.g. <c>SIGILL</c> or <c>verbose trap</c>.</summary>
    public string? TypeName { get; set; }

    /// <summary>Fully qualified type name.</summary>
    public string? FullTypeName { get; set; }

    /// <summary>Expression that evaluates to the exception object.</summary>
    public string? EvaluateName { get; set; }

    /// <summary>Stack trace text.</summary>
    public string? StackTrace { get; set; }

    /// <summary>Nested details (for traps: the ranked origins).</summary>
    public List<ExceptionDetails>? InnerException { get; set; }
}
