using TrapDebugger.Dwarf.Expressions;

namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>How the canonical frame address is computed: a register plus an offset, or a DWARF expression.</summary>
public readonly record struct CfaRule(int Register, long Offset, ReadOnlyMemory<byte> Expression = default, bool IsExpression = false, bool IsDefined = true)
{
    /// <summary>The rule of a row before any DW_CFA_def_cfa* instruction ran.</summary>
    public static CfaRule Unspecified => new(0, 0, default, false, false);

    /// <summary>A register-plus-offset rule.</summary>
    public static CfaRule RegisterOffset(int register, long offset) => new(register, offset);

    /// <summary>An expression rule (DW_CFA_def_cfa_expression).</summary>
    public static CfaRule FromExpression(ReadOnlyMemory<byte> expression) => new(0, 0, expression, true);

    /// <summary>Structural equality, comparing expression bytes rather than memory identity.</summary>
    public bool Equals(CfaRule other) =>
        Register == other.Register && Offset == other.Offset && IsExpression == other.IsExpression && IsDefined == other.IsDefined
        && Expression.Span.SequenceEqual(other.Expression.Span);

    /// <summary>A hash consistent with <see cref="Equals(CfaRule)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Register, Offset, IsExpression, IsDefined);

    /// <summary>The rule as llvm-dwarfdump prints it: "RSP+8", "RBP", or the expression.</summary>
    public override string ToString()
    {
        if (!IsDefined) return "unspecified";
        if (IsExpression) return DwarfExpressionFormatter.Format(Expression.Span);
        var name = X86_64Registers.Name((ulong)Register);
        return Offset == 0 ? name : Offset > 0 ? $"{name}+{Offset}" : $"{name}{Offset}";
    }
}
