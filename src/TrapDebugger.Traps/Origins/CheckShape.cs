using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Recognizes what a check without a message tests from the shape of its code: GCC's
/// <c>-fsanitize-undefined-trap-on-error</c> and <c>-ftrapv</c> emit a bare <c>ud2</c> with no check kind.</summary>
/// <remarks>
/// The shapes: a <c>jo</c> after <c>imul</c>/<c>add</c>/<c>sub</c> (signed overflow of that operation); an unsigned compare of
/// a register against 31 or 63 whose passing path shifts by it (shift exponent too large); an unsigned compare against a
/// constant whose passing path indexes memory with it (index out of bounds); a zero test whose passing path divides by the
/// register (division by zero) or dereferences it (null pointer).
/// </remarks>
internal static class CheckShape
{
    private const int LookBack = 8;
    private const int LookAhead = 12;

    /// <summary>The check's message for the conditional branch at <paramref name="branchIndex"/>, or null when its shape is not one of these.</summary>
    public static string? Message(CodeView view, int branchIndex, bool trapOnTaken)
    {
        var branch = view.Instructions[branchIndex];
        if (Setter(view, branchIndex) is not { } setter) return null;
        var cc = branch.ConditionCode;
        if (cc is ConditionCode.o or ConditionCode.no)
        {
            return setter.Mnemonic switch
            {
                Mnemonic.Imul or Mnemonic.Mul => "signed integer overflow in multiplication",
                Mnemonic.Add or Mnemonic.Inc or Mnemonic.Adc => "signed integer overflow in addition",
                Mnemonic.Sub or Mnemonic.Dec or Mnemonic.Sbb or Mnemonic.Neg => "signed integer overflow in subtraction",
                _ => "signed integer overflow",
            };
        }
        var passing = Passing(view, branch, trapOnTaken);
        if (setter.Mnemonic == Mnemonic.Cmp && setter.Op0Kind == OpKind.Register && IsImmediate(setter.Op1Kind))
        {
            var register = setter.Op0Register.GetFullRegister();
            var limit = setter.GetImmediate(1);
            if (cc is ConditionCode.a or ConditionCode.ae or ConditionCode.b or ConditionCode.be or ConditionCode.g or ConditionCode.ge or ConditionCode.l or ConditionCode.le)
            {
                if (limit is 31 or 63 or 32 or 64 && passing.Any(i => IsShiftBy(i, register))) return "shift exponent too large for the type";
                if (passing.Any(i => IndexesWith(i, register))) return $"index out of bounds (the limit is {limit + (cc is ConditionCode.a or ConditionCode.be or ConditionCode.g or ConditionCode.le ? 1UL : 0UL)})";
            }
        }
        if (setter.Mnemonic == Mnemonic.Test && setter.Op0Kind == OpKind.Register && setter.Op1Kind == OpKind.Register
            && setter.Op0Register == setter.Op1Register && cc is ConditionCode.e or ConditionCode.ne)
        {
            var register = setter.Op0Register.GetFullRegister();
            if (passing.Any(i => i.Mnemonic is Mnemonic.Div or Mnemonic.Idiv && i.Op0Kind == OpKind.Register && i.Op0Register.GetFullRegister() == register))
                return "division by zero";
            if (passing.Any(i => i.Op0Kind == OpKind.Memory && i.MemoryBase.GetFullRegister() == register || i.Op1Kind == OpKind.Memory && i.MemoryBase.GetFullRegister() == register))
                return "null pointer";
        }
        return null;
    }

    private static bool IsImmediate(OpKind kind) => kind is OpKind.Immediate8 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32 or OpKind.Immediate32to64;

    private static bool IsShiftBy(in Instruction i, Register register) =>
        i.Mnemonic is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Sar or Mnemonic.Shr or Mnemonic.Shlx or Mnemonic.Sarx or Mnemonic.Shrx
        && (i.Op1Kind == OpKind.Register && (i.Op1Register == Register.CL || i.Op1Register.GetFullRegister() == register)
            || i.OpCount > 2 && i.Op2Kind == OpKind.Register && i.Op2Register.GetFullRegister() == register);

    private static bool IndexesWith(in Instruction i, Register register)
    {
        for (var k = 0; k < i.OpCount; k++)
        {
            if (i.GetOpKind(k) == OpKind.Memory && (i.MemoryIndex.GetFullRegister() == register || i.Mnemonic != Mnemonic.Lea && i.MemoryBase.GetFullRegister() == register && i.MemoryIndex != Register.None))
                return true;
        }
        return i.Mnemonic == Mnemonic.Lea && i.MemoryIndex.GetFullRegister() == register;
    }

    // The instruction that last set the flags the branch reads, in the branch's block.
    private static Instruction? Setter(CodeView view, int branchIndex)
    {
        for (var k = branchIndex - 1; k >= 0 && k >= branchIndex - LookBack; k--)
        {
            var i = view.Instructions[k];
            if (i.FlowControl != FlowControl.Next) return null;
            if (i.RflagsModified != RflagsBits.None) return i;
        }
        return null;
    }

    // The straight-line instructions where the check passes (the path away from the trap).
    private static List<Instruction> Passing(CodeView view, in Instruction branch, bool trapOnTaken)
    {
        var start = trapOnTaken ? branch.NextIP : branch.NearBranchTarget;
        var result = new List<Instruction>();
        var index = view.IndexOf(start);
        for (var k = index; k >= 0 && k < view.Instructions.Count && result.Count < LookAhead; k++)
        {
            var i = view.Instructions[k];
            result.Add(i);
            if (i.FlowControl is FlowControl.Return or FlowControl.UnconditionalBranch or FlowControl.IndirectBranch or FlowControl.Interrupt or FlowControl.Exception) break;
        }
        return result;
    }
}
