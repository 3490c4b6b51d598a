using TrapDebugger.Dwarf.Expressions;

namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>How a register's value in the caller is recovered (DWARF 5 §6.4.1).</summary>
public enum RegisterRuleKind
{
    /// <summary>The register has no recoverable value in the caller.</summary>
    Undefined,

    /// <summary>The register was not modified: the caller's value is the current value.</summary>
    SameValue,

    /// <summary>The value is saved in memory at CFA + Offset.</summary>
    Offset,

    /// <summary>The value is CFA + Offset itself (not dereferenced).</summary>
    ValOffset,

    /// <summary>The value is held in another register.</summary>
    Register,

    /// <summary>The value is saved in memory at the address the expression computes (CFA pushed first).</summary>
    Expression,

    /// <summary>The value is what the expression computes (CFA pushed first).</summary>
    ValExpression,
}

/// <summary>One register's recovery rule in an unwind row.</summary>
public readonly record struct RegisterRule(RegisterRuleKind Kind, long Offset = 0, int Register = 0, ReadOnlyMemory<byte> Expression = default)
{
    /// <summary>The rule for an undefined register.</summary>
    public static RegisterRule Undefined => new(RegisterRuleKind.Undefined);

    /// <summary>The rule for an unmodified register.</summary>
    public static RegisterRule SameValue => new(RegisterRuleKind.SameValue);

    /// <summary>Structural equality, comparing expression bytes rather than memory identity.</summary>
    public bool Equals(RegisterRule other) =>
        Kind == other.Kind && Offset == other.Offset && Register == other.Register && Expression.Span.SequenceEqual(other.Expression.Span);

    /// <summary>A hash consistent with <see cref="Equals(RegisterRule)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Kind, Offset, Register, Expression.Length);

    /// <summary>The rule as llvm-dwarfdump prints it: "[CFA-8]", "CFA+16", "RBX", "same", "undefined", "[DW_OP_...]".</summary>
    public override string ToString() => Kind switch
    {
        RegisterRuleKind.Undefined => "undefined",
        RegisterRuleKind.SameValue => "same",
        RegisterRuleKind.Offset => $"[{CfaPlus(Offset)}]",
        RegisterRuleKind.ValOffset => CfaPlus(Offset),
        RegisterRuleKind.Register => X86_64Registers.Name((ulong)Register),
        RegisterRuleKind.Expression => $"[{DwarfExpressionFormatter.Format(Expression.Span)}]",
        RegisterRuleKind.ValExpression => DwarfExpressionFormatter.Format(Expression.Span),
        _ => Kind.ToString(),
    };

    private static string CfaPlus(long offset) => offset == 0 ? "CFA" : offset > 0 ? $"CFA+{offset}" : $"CFA{offset}";
}
