namespace TrapDebugger.Traps;

/// <summary>A position in a source file; <see cref="Column"/> is 0 when the producer gave none.</summary>
/// <param name="File">The path of the source file as the debug information names it.</param>
/// <param name="Line">The 1-based line; 0 means "no line" (compiler-generated code).</param>
/// <param name="Column">The 1-based column, or 0 when unknown.</param>
public readonly record struct SourceLocation(string File, int Line, int Column = 0)
{
    /// <summary>Formats the location as "file:line:column" (or "file:line" without a column).</summary>
    public override string ToString() => Column > 0 ? $"{File}:{Line}:{Column}" : $"{File}:{Line}";
}
