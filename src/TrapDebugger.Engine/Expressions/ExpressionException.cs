namespace TrapDebugger.Engine.Expressions;

/// <summary>An expression could not be parsed or evaluated; the message is one sentence naming the problem and where.</summary>
public sealed class ExpressionException(string message, int column = -1) : Exception(message)
{
    /// <summary>The 1-based column of the problem in the expression text, or -1 when it is not about one place.</summary>
    public int Column { get; } = column;
}
