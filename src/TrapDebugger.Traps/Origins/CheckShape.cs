using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Recognizes what a check without a message tests from the shape of its code: GCC's
/// <c>-fsanitize-undefined-trap-on-error</c> and <c>-ftrapv</c> emit a bare <c>ud2</c> with no check kind.</summary>
/// <remarks>
/// The shapes: a <c>jo</c> after <c>imul</c>/<c>add</c>/<c>sub</c> (signed overflow of that operation); an unsigned compare of
/// a register against 31 or 63 whose passing path shifts by it (shift exponent too large); an unsigned compare against a
/// constant whose passing path indexes memory with it (index out of bounds); a zero test whose passing path divides by the
/// register (division by zero) or dereferences it (null pointer); a zero test of a value shifted right by a count, before a
/// left shift (GCC's shift-base check). Unoptimized GCC code materializes several of these with setcc and or-s them into
/// one branch: each is recognized on its own, and the one that held is told from the registers.
/// </remarks>
internal static class CheckShape
{
    private const int LookBack = 8;
    private const int LookAhead = 24;

    /// <summary>The check's message for the conditional branch at <paramref name="branchIndex"/>, or null when its shape is not one of these.</summary>
    /// <param name="view">The function's code.</param>
    /// <param name="branchIndex">The branch's index in <paramref name="view"/>.</param>
    /// <param name="trapOnTaken">True when the taken edge leads to the trap.</param>
    /// <param name="path">The instructions from the branch's trap-side edge to the trap.</param>
    /// <param name="registers">The registers at the trap, which tell which of several conditions combined into one branch held.</param>
    /// <param name="memory">The process memory, for values reloaded from where unoptimized code keeps them.</param>
    /// <param name="symbols">Names the variables in the evidence.</param>
    /// <returns>The message, and for several conditions combined into the branch, the evidence of the one that held.</returns>
    public static (string Message, string? Evidence)? Name(CodeView view, int branchIndex, bool trapOnTaken, IReadOnlyList<Instruction>? path = null,
        RegisterState? registers = null, IByteSource? memory = null, ISymbolizer? symbols = null)
    {
        var branch = view.Instructions[branchIndex];
        var setterIndex = Setter(view, branchIndex);
        if (setterIndex < 0) return null;
        var setter = view.Instructions[setterIndex];
        var cc = branch.ConditionCode;
        if (cc is ConditionCode.o or ConditionCode.no)
        {
            return (setter.Mnemonic switch
            {
                Mnemonic.Imul or Mnemonic.Mul => "signed integer overflow in multiplication",
                Mnemonic.Add or Mnemonic.Inc or Mnemonic.Adc => "signed integer overflow in addition",
                Mnemonic.Sub or Mnemonic.Dec or Mnemonic.Sbb or Mnemonic.Neg => "signed integer overflow in subtraction",
                _ => "signed integer overflow",
            }, null);
        }
        var passing = Passing(view, branch, trapOnTaken);
        if (Shape(view, setterIndex, branchIndex, cc, trapOnTaken, passing) is { } shape) return (shape, null);
        return Combined(view, setterIndex, branchIndex, trapOnTaken, passing, path, registers, memory, symbols);
    }

    // The check a flag-setting instruction and a condition on its flags make, with the passing path after the branch at
    // branchIndex; trapWhen is true when the condition holding leads to the trap.
    private static string? Shape(CodeView view, int setterIndex, int branchIndex, ConditionCode cc, bool trapWhen, List<Instruction> passing)
    {
        var setter = view.Instructions[setterIndex];
        if (setter.Mnemonic == Mnemonic.Cmp && setter.Op0Kind == OpKind.Register && IsImmediate(setter.Op1Kind))
        {
            var limit = setter.GetImmediate(1);
            if (cc is ConditionCode.a or ConditionCode.ae or ConditionCode.b or ConditionCode.be or ConditionCode.g or ConditionCode.ge or ConditionCode.l or ConditionCode.le)
            {
                var uses = CopiesAlong(view, setterIndex, branchIndex, setter.Op0Register.GetFullRegister(), passing);
                if (limit is 31 or 63 or 32 or 64 && uses.Any(u => IsShiftBy(u.Instruction, u.Register))) return "shift exponent too large for the type";
                if (uses.Any(u => IndexesWith(u.Instruction, u.Register))) return $"index out of bounds (the limit is {limit + (cc is ConditionCode.a or ConditionCode.be or ConditionCode.g or ConditionCode.le ? 1UL : 0UL)})";
            }
        }
        if (cc is ConditionCode.e or ConditionCode.ne && ZeroTested(setter) is var (register, memory) && (register != Register.None || memory))
        {
            // test r, r / cmp r, 0, or (unoptimized) cmp [slot], 0 followed by a reload of the slot.
            var uses = CopiesAlong(view, setterIndex, branchIndex, register, passing, memory ? setter : null);
            if (uses.Any(u => u.Instruction.Mnemonic is Mnemonic.Div or Mnemonic.Idiv && u.Instruction.Op0Kind == OpKind.Register && u.Instruction.Op0Register.GetFullRegister() == u.Register))
                return "division by zero";
            if (uses.Any(u => Dereferences(u.Instruction, u.Register)))
                return "null pointer";
            // GCC's shift-base check: the value shifted right by (width - 1 - amount) must be zero for the left shift to fit.
            if ((cc == ConditionCode.ne) == trapWhen && register != Register.None
                && Source(view, setterIndex, register) is >= 0 and var source && IsRightShiftByCount(view.Instructions[source])
                && passing.Any(i => i.Mnemonic is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shlx))
                return "left shift does not fit in the type";
        }
        if (setter.Mnemonic == Mnemonic.Test && setter.Op0Kind == OpKind.Register && IsImmediate(setter.Op1Kind)
            && setter.GetImmediate(1) is 1 or 3 or 7 or 15 && (cc == ConditionCode.ne) == trapWhen)
        {
            // An alignment check: the low bits of a pointer tested before it is dereferenced.
            var uses = CopiesAlong(view, setterIndex, branchIndex, setter.Op0Register.GetFullRegister(), passing);
            if (uses.Any(u => Dereferences(u.Instruction, u.Register)))
                return $"misaligned address (the type requires {setter.GetImmediate(1) + 1}-byte alignment)";
        }
        return null;
    }

    // Several checks combined into one branch, as GCC does at -O0: each condition is materialized with setcc, the results are
    // or-ed, and one test of the result branches to the trap. Named by the condition that held, read from the setcc's
    // register when nothing wrote it after; by every condition that may have held otherwise ("… or …").
    private static (string Message, string? Evidence)? Combined(CodeView view, int setterIndex, int branchIndex, bool trapOnTaken, List<Instruction> passing,
        IReadOnlyList<Instruction>? path, RegisterState? registers, IByteSource? memory, ISymbolizer? symbols)
    {
        var setter = view.Instructions[setterIndex];
        var cc = view.Instructions[branchIndex].ConditionCode;
        if (cc is not (ConditionCode.e or ConditionCode.ne) || (cc == ConditionCode.ne) != trapOnTaken) return null;
        if (ZeroTested(setter) is not (var tested, false) || tested == Register.None) return null;
        var orIndex = Writer(view, setterIndex, tested);
        if (orIndex < 0) return null;
        var combine = view.Instructions[orIndex];
        if (combine.Mnemonic != Mnemonic.Or || combine.Op0Kind != OpKind.Register || combine.Op1Kind != OpKind.Register) return null;
        var parts = new List<(string? Message, bool? Held, string? Evidence)>();
        foreach (var operand in new[] { combine.Op0Register, combine.Op1Register })
        {
            var s = Source(view, orIndex, operand.GetFullRegister());
            if (s < 0) return null;
            var setcc = view.Instructions[s];
            if (setcc.ConditionCode == ConditionCode.None || setcc.FlowControl != FlowControl.Next || setcc.OpCount != 1 || setcc.Op0Kind != OpKind.Register)
                return null;
            var flags = Setter(view, s);
            var message = flags < 0 ? null : Shape(view, flags, branchIndex, setcc.ConditionCode, true, passing);
            // The condition replayed from its compare names the variables; the setcc's own register, when intact, is the answer.
            var replayed = flags < 0 || registers is null || path is null ? null
                : BranchConditionEvaluator.Replayed(view, flags, setcc.ConditionCode, view.Instructions.Skip(flags + 1).Take(branchIndex - flags - 1).Concat(path),
                    registers, memory, symbols);
            var holds = Held(view, s, branchIndex, path, setcc.Op0Register, registers) ?? replayed?.Held;
            parts.Add((message, holds, replayed is { } r && r.Held == holds ? r.Evidence : null));
        }
        if (parts.All(p => p.Message is null)) return null;
        var held = parts.Where(p => p.Held == true).ToList();
        var chosen = held.Count > 0 ? held : parts.Where(p => p.Held != false).ToList();
        if (chosen.Count == 0) chosen = parts;
        if (chosen.Any(p => p.Message is null)) return null;
        var evidence = held.Select(p => p.Evidence).OfType<string>().ToList();
        return (string.Join(held.Count > 0 ? " and " : " or ", chosen.Select(p => p.Message).Distinct()), evidence.Count > 0 ? string.Join("; ", evidence) : null);
    }

    // Whether the condition a setcc at setccIndex stored in its register held, read from the registers at the trap; null when an
    // instruction after it (up to the branch, and on the way to the trap) may have written that register.
    private static bool? Held(CodeView view, int setccIndex, int branchIndex, IReadOnlyList<Instruction>? path, Register register, RegisterState? registers)
    {
        if (registers?.Get(register) is not { } value || path is null) return null;
        var full = register.GetFullRegister();
        var info = new InstructionInfoFactory();
        for (var k = setccIndex + 1; k < branchIndex; k++)
        {
            if (OperandSource.Writes(info.GetInfo(view.Instructions[k]), full)) return null;
        }
        foreach (var i in path)
        {
            if (OperandSource.Writes(info.GetInfo(i), full)) return null;
        }
        return value != 0;
    }

    private static bool IsRightShiftByCount(in Instruction i) =>
        i.Mnemonic is Mnemonic.Shr or Mnemonic.Sar && i.Op1Kind == OpKind.Register && i.Op1Register == Register.CL
        || i.Mnemonic is Mnemonic.Shrx or Mnemonic.Sarx;

    // The instruction in the block before `before` that last wrote `register`, or -1.
    private static int Writer(CodeView view, int before, Register register)
    {
        var info = new InstructionInfoFactory();
        for (var k = before - 1; k >= 0 && k >= before - 2 * LookBack; k--)
        {
            var i = view.Instructions[k];
            if (i.FlowControl != FlowControl.Next || view.IsBranchTarget(i.NextIP)) return -1;
            if (OperandSource.Writes(info.GetInfo(i), register)) return k;
        }
        return -1;
    }

    // The instruction that made the value `register` holds at `before`, following register-to-register copies; -1 when unknown.
    private static int Source(CodeView view, int before, Register register)
    {
        for (var copies = 0; copies < 4; copies++)
        {
            var k = Writer(view, before, register);
            if (k < 0) return -1;
            var i = view.Instructions[k];
            if (!(IsCopy(i) && i.Op1Kind == OpKind.Register)) return k;
            (before, register) = (k, i.Op1Register.GetFullRegister());
        }
        return -1;
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
    private static List<(Instruction Instruction, Register Register)> CopiesAlong(CodeView view, int setterIndex, int branchIndex, Register compared,
        List<Instruction> passing, Instruction? comparedMemory = null)
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
        // The instructions between the compare and the branch (other conditions combined with it) move and overwrite copies too.
        var between = view.Instructions.Skip(setterIndex + 1).Take(Math.Max(0, branchIndex - setterIndex - 1));
        foreach (var (i, onPath) in between.Select(i => (i, false)).Concat(passing.Select(i => (i, true))))
        {
            if (onPath) foreach (var r in holding) uses.Add((i, r));
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
