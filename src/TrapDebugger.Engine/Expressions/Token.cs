namespace TrapDebugger.Engine.Expressions;

/// <summary>The kinds of token the expression lexer produces.</summary>
public enum TokenKind
{
    Identifier,
    Register,
    Integer,
    Float,
    Character,
    String,
    Punctuator,
    End,
}

/// <summary>One token of an expression: its kind, its text and its 0-based position.</summary>
public readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    /// <summary>The numeric value of an integer or character token.</summary>
    public ulong IntegerValue { get; init; }

    /// <summary>The value of a floating-point token.</summary>
    public double FloatValue { get; init; }

    /// <summary>For integer literals: true when the literal has a <c>u</c> suffix.</summary>
    public bool IsUnsigned { get; init; }

    /// <summary>For integer literals: true when the literal has an <c>l</c>/<c>ll</c> suffix.</summary>
    public bool IsLong { get; init; }

    /// <summary>True when this token is the punctuator <paramref name="p"/>.</summary>
    public bool Is(string p) => Kind == TokenKind.Punctuator && Text == p;

    /// <inheritdoc/>
    public override string ToString() => Kind == TokenKind.End ? "end of expression" : $"'{Text}'";
}
