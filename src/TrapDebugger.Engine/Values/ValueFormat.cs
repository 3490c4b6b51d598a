namespace TrapDebugger.Engine.Values;

/// <summary>How a scalar is shown: naturally for its type, or forced by a format suffix (<c>,x</c> <c>,d</c> <c>,s</c> …).</summary>
public enum ValueFormat
{
    /// <summary>As the type suggests (decimal ints, chars as characters, pointers in hex).</summary>
    Natural,
    /// <summary><c>,x</c>: hexadecimal.</summary>
    Hex,
    /// <summary><c>,d</c>: signed decimal.</summary>
    Decimal,
    /// <summary><c>,u</c>: unsigned decimal.</summary>
    Unsigned,
    /// <summary><c>,o</c>: octal.</summary>
    Octal,
    /// <summary><c>,b</c>: binary.</summary>
    Binary,
    /// <summary><c>,c</c>: as a character.</summary>
    Character,
    /// <summary><c>,s</c>: a pointer or array read as a NUL-terminated string.</summary>
    String,
}

/// <summary>A named child of a value as the variables view shows it.</summary>
/// <param name="Name">The label ("x", "[3]", "*p", or a base class name).</param>
/// <param name="Value">The child value.</param>
/// <param name="Expression">An expression that evaluates to the child, when one exists (for "Add to Watch").</param>
public readonly record struct NamedValue(string Name, DebugValue Value, string? Expression);
