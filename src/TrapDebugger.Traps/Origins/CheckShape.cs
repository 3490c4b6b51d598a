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
    private const int LookAhead = 24;

    /// <summary>The check's message for the conditional branch at <paramref name="branchIndex"/>, or null when its shape is not one of these.</summary>
    public static string? Message(CodeView view, int branchIndex, bool trapOnTaken)
    {
        var branch = view.Instructions[branchIndex];
        var setterIndex = Setter(view, branchIndex);
        if (setterIndex < 0) return null;
        var setter = view.Instructions[setterIndex];
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
            var limit = setter.GetImmediate(1);
            if (cc is ConditionCode.a or ConditionCode.ae or ConditionCode.b or ConditionCode.be or ConditionCode.g or ConditionCode.ge or ConditionCode.l or ConditionCode.le)
            {
                var uses = CopiesAlong(view, setterIndex, setter.Op0Register.GetFullRegister(), passing);
                if (limit is 31 or 63 or 32 or 64 && uses.Any(u => IsShiftBy(u.Instruction, u.Register))) return "shift exponent too large for the type";
                if (uses.Any(u => IndexesWith(u.Instruction, u.Register))) return $"index out of bounds (the limit is {limit + (cc is ConditionCode.a or ConditionCode.be or ConditionCode.g or ConditionCode.le ? 1UL : 0UL)})";
            }
        }
        if (cc is ConditionCode.e or ConditionCode.ne && ZeroTested(setter) is var (register, memory) && (register != Register.None || memory))
        {
            // test r, r / cmp r, 0, or (unoptimized) cmp [slot], 0 followed by a reload of the slot.
            var uses = CopiesAlong(view, setterIndex, register, passing, memory ? setter : null);
            if (uses.Any(u => u.Instruction.Mnemonic is Mnemonic.Div or Mnemonic.Idiv && u.Instruction.Op0Kind == OpKind.Register && u.Instruction.Op0Register.GetFullRegister() == u.Register))
                return "division by zero";
            if (uses.Any(u => Dereferences(u.Instruction, u.Register)))
                return "null pointer";
        }
        if (setter.Mnemonic == Mnemonic.Test && setter.Op0Kind == OpKind.Register && IsImmediate(setter.Op1Kind)
            && setter.GetImmediate(1) is 1 or 3 or 7 or 15 && (cc == ConditionCode.ne) == trapOnTaken)
        {
            // An alignment check: the low bits of a pointer tested before it is dereferenced.
            var uses = CopiesAlong(view, setterIndex, setter.Op0Register.GetFullRegister(), passing);
            if (uses.Any(u => Dereferences(u.Instruction, u.Register)))
                return $"misaligned address (the type requires {setter.GetImmediate(1) + 1}-byte alignment)";
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

    // The index of the instruction that last set the flags the branch reads, in the branch's block; -1 when there is none.
    private static int Setter(CodeView view, int branchIndex)
    {
        for (var k = branchIndex - 1; k >= 0 && k >= branchIndex - LookBack; k--)
        {
            var i = view.Instructions[k];
            if (i.FlowControl != FlowControl.Next) return -1;
            if (i.RflagsModified != RflagsBits.None) return k;
        }
        return -1;
    }

    // Each instruction of the passing path with a register that holds the compared value there: the compared register, the
    // registers it was copied or extended from before the compare, and copies made along the path, including reloads from
    // the memory the value was loaded from (unoptimized code compares one copy of a variable and indexes with another).
    private static List<(Instruction Instruction, Register Register)> CopiesAlong(CodeView view, int setterIndex, Register compared, List<Instruction> passing,
        Instruction? comparedMemory = null)
    {
        var holding = new HashSet<Register>();
        if (compared != Register.None) holding.Add(compared);
        var load = comparedMemory;
        var k = compared == Register.None ? -1 : OperandSource.SourceLoad(view.Instructions, setterIndex, compared, view.IsBranchTarget);
        if (k >= 0)
        {
            load = view.Instructions[k];
            for (var j = k; j < setterIndex; j++)
            {
                var i = view.Instructions[j];
                if (IsCopy(i) && (j == k || i.Op1Kind == OpKind.Register && holding.Contains(i.Op1Register.GetFullRegister()))) holding.Add(i.Op0Register.GetFullRegister());
            }
        }
        var uses = new List<(Instruction, Register)>();
        var info = new InstructionInfoFactory();
        foreach (var i in passing)
        {
            foreach (var r in holding) uses.Add((i, r));
            var copy = IsCopy(i) && (i.Op1Kind == OpKind.Register && holding.Contains(i.Op1Register.GetFullRegister())
                || load is { } l && i.Op1Kind == OpKind.Memory && SameOperand(i, l));
            foreach (var r in info.GetInfo(i).GetUsedRegisters())
            {
                if (r.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite)
                    holding.Remove(r.Register.GetFullRegister());
            }
            if (copy) holding.Add(i.Op0Register.GetFullRegister());
        }
        return uses;
    }

    // The register a zero test reads (test r, r; cmp r, 0), or true for a compare of memory with 0.
    private static (Register Register, bool Memory) ZeroTested(in Instruction setter)
    {
        if (setter.Mnemonic == Mnemonic.Test && setter.Op0Kind == OpKind.Register && setter.Op1Kind == OpKind.Register && setter.Op0Register == setter.Op1Register)
            return (setter.Op0Register.GetFullRegister(), false);
        if (setter.Mnemonic == Mnemonic.Cmp && IsImmediate(setter.Op1Kind) && setter.GetImmediate(1) == 0)
        {
            if (setter.Op0Kind == OpKind.Register) return (setter.Op0Register.GetFullRegister(), false);
            if (setter.Op0Kind == OpKind.Memory && setter.MemoryIndex == Register.None) return (Register.None, true);
        }
        return (Register.None, false);
    }

    private static bool Dereferences(in Instruction i, Register register) =>
        i.Mnemonic != Mnemonic.Lea && (i.Op0Kind == OpKind.Memory || i.OpCount > 1 && i.Op1Kind == OpKind.Memory) && i.MemoryBase.GetFullRegister() == register;

    private static bool IsCopy(in Instruction i) =>
        i.Mnemonic is Mnemonic.Mov or Mnemonic.Movsxd or Mnemonic.Movzx or Mnemonic.Movsx && i.Op0Kind == OpKind.Register;

    private static bool SameOperand(in Instruction a, in Instruction b) =>
        a.MemoryBase == b.MemoryBase && a.MemoryIndex == b.MemoryIndex && a.MemoryDisplacement64 == b.MemoryDisplacement64
        && a.MemoryBase is not Register.None and not Register.RIP && b.MemoryIndex == Register.None;

    // The straight-line instructions where the check passes (the path away from the trap).
    private static List<Instruction> Passing(CodeView view, in Instruction branch, bool trapOnTaken)
    {
        var start = trapOnTaken ? branch.NextIP : branch.NearBranchTarget;
        var result = new List<Instruction>();
        var index = view.IndexOf(start);
        for (var k = index; k >= 0 && k < view.Instructions.Count && result.Count < LookAhead; k++)
        {
            var i = view.Instructions[k];
            // Another check's trap that a branch jumps over: the path goes on after it.
            if (i.FlowControl is FlowControl.Exception or FlowControl.Interrupt && view.IsBranchTarget(i.NextIP)) continue;
            result.Add(i);
            if (i.FlowControl is FlowControl.Return or FlowControl.UnconditionalBranch or FlowControl.IndirectBranch or FlowControl.Interrupt or FlowControl.Exception) break;
        }
        return result;
    }
}
