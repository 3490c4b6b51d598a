namespace TrapDebugger.Engine.Expressions;

/// <summary>A node of a parsed expression.</summary>
/// <param name="Position">The 0-based offset of the node's first character, for error messages.</param>
public abstract record SyntaxNode(int Position);

/// <summary>A name in scope: a variable, parameter, global or qualified name (<c>ns::x</c>).</summary>
public sealed record IdentifierNode(string Name, int Position) : SyntaxNode(Position);

/// <summary>A register of the selected frame: <c>$rip</c>, <c>$eax</c>, <c>$xmm0</c>.</summary>
public sealed record RegisterNode(string Name, int Position) : SyntaxNode(Position);

/// <summary>An integer or character literal.</summary>
public sealed record IntegerLiteralNode(ulong Value, bool IsUnsigned, bool IsLong, bool IsCharacter, int Position) : SyntaxNode(Position);

/// <summary>A floating-point literal.</summary>
public sealed record FloatLiteralNode(double Value, int Position) : SyntaxNode(Position);

/// <summary>Member access: <c>a.b</c> or <c>a-&gt;b</c>.</summary>
public sealed record MemberNode(SyntaxNode Target, string Member, bool ThroughPointer, int Position) : SyntaxNode(Position);

/// <summary>Subscript: <c>a[i]</c>.</summary>
public sealed record IndexNode(SyntaxNode Target, SyntaxNode Index, int Position) : SyntaxNode(Position);

/// <summary>A prefix operator: <c>* &amp; - + ! ~</c>.</summary>
public sealed record UnaryNode(string Operator, SyntaxNode Operand, int Position) : SyntaxNode(Position);

/// <summary>A binary operator: arithmetic, shifts, bitwise, comparisons and logical and/or.</summary>
public sealed record BinaryNode(string Operator, SyntaxNode Left, SyntaxNode Right, int Position) : SyntaxNode(Position);

/// <summary>A call: <c>f(1, x)</c> runs a function of the program; <c>v.len()</c> asks a library value's view.</summary>
public sealed record CallNode(SyntaxNode Callee, IReadOnlyList<SyntaxNode> Arguments, int Position) : SyntaxNode(Position);

/// <summary>An assignment, <c>a = b</c> or compound (<c>a += b</c>, …): <see cref="Operator"/> is the binary operator
/// applied first, or null for plain assignment.</summary>
public sealed record AssignNode(string? Operator, SyntaxNode Target, SyntaxNode Value, int Position) : SyntaxNode(Position);

/// <summary>A string literal, which an expression can pass to a function of the program.</summary>
public sealed record StringLiteralNode(string Value, int Position) : SyntaxNode(Position);

/// <summary>A C cast to a named type: <c>(T *)x</c>.</summary>
public sealed record CastNode(TypeName Type, SyntaxNode Operand, int Position) : SyntaxNode(Position);

/// <summary><c>sizeof(T)</c> or <c>sizeof expr</c>.</summary>
public sealed record SizeOfNode(TypeName? Type, SyntaxNode? Operand, int Position) : SyntaxNode(Position);

/// <summary>A type as written in a cast: a base name (resolved in scope) and pointer levels.</summary>
/// <param name="BaseName">The base type name, whitespace-normalized ("unsigned int", "struct node", "std::string").</param>
/// <param name="PointerDepth">How many <c>*</c> follow the base name.</param>
/// <param name="IsConst">True when <c>const</c> was written (accepted and ignored for evaluation).</param>
public sealed record TypeName(string BaseName, int PointerDepth, bool IsConst)
{
    /// <inheritdoc/>
    public override string ToString() => (IsConst ? "const " : "") + BaseName + (PointerDepth > 0 ? " " + new string('*', PointerDepth) : "");
}

/// <summary>A whole watch/hover expression: the expression and an optional format suffix.</summary>
public sealed record ParsedExpression(SyntaxNode Root, Values.ValueFormat Format, string Text);
