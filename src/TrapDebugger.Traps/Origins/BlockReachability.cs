using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Decides from the live state whether the block holding a check ran before the trap: a block whose every way in is a
/// branch edge that the replayed compare rules out was never entered, so its check cannot have fired.</summary>
/// <remarks>
/// This is what separates the second half of a compound check (<c>a || b</c> lowers to two branches, the second reached only
/// when the first falls through) from the check that fired: the second branch's own compare may hold on stale registers, but
/// the first branch, replayed on the same unchanged registers, shows that control never reached it.
/// Each way in is judged on the instructions that would run from that edge to the trap, so an operand written anywhere on
/// that way leaves the edge possible. Loops, calls, jump tables and the function's entry leave a block possible. The start of
/// any other part of a split function (its <c>.cold</c> part) has no fall-through: it is entered only by the branches to it.
/// </remarks>
internal static class BlockReachability
{
    /// <summary>How many blocks back the search goes (each step is one straight-line block).</summary>
    private const int MaxDepth = 4;

    /// <summary>How many blocks one search may visit, so a function with thousands of checks stays bounded.</summary>
    private const int MaxBlocks = 64;

    /// <summary>Why the instruction at <paramref name="index"/> cannot have run before the trap, or null when it may have;
    /// <paramref name="tail"/> is what runs after it until the trap.</summary>
    public static string? WhyUnreachable(CodeView view, int index, IReadOnlyList<Instruction> tail,
        RegisterState registers, IByteSource? memory, ISymbolizer? symbols) =>
        view.HasIndirectJump ? null : Check(view, index, tail, registers, memory, symbols, 0, []);

    private static string? Check(CodeView view, int index, IReadOnlyList<Instruction> tail, RegisterState registers,
        IByteSource? memory, ISymbolizer? symbols, int depth, HashSet<int> visited)
    {
        if (depth > MaxDepth || visited.Count >= MaxBlocks) return null;
        var start = index;
        while (start > 0 && view.Instructions[start - 1].FlowControl == FlowControl.Next && !view.IsBranchTarget(view.Instructions[start].IP)
               && !view.IsPartStart(view.Instructions[start].IP))
            start--;
        var blockStart = view.Instructions[start].IP;
        // The entry block is always reachable; a block seen before closes a cycle, whose registers belong to another iteration.
        if (blockStart == view.Entry || !visited.Add(start)) return null;

        var run = new List<Instruction>(index - start + 1 + tail.Count);
        for (var k = start; k <= index; k++) run.Add(view.Instructions[k]);
        run.AddRange(tail);

        if (Contradiction(run, registers) is { } mismatch) return mismatch;

        var reasons = new List<string>();
        // Another part's start follows unrelated code: nothing falls through into it, only the branches below enter it.
        if (!view.IsPartStart(blockStart))
        {
            var previous = view.Instructions[start - 1];
            switch (previous.FlowControl)
            {
                case FlowControl.ConditionalBranch when CodeView.IsDirect(previous):
                    // When the branch also targets this block, its taken edge is listed with the other branches below.
                    if (previous.NearBranchTarget != blockStart)
                    {
                        if (RuleOutEdge(view, start - 1, false, run, registers, memory, symbols, depth, visited) is not { } why) return null;
                        reasons.Add(why);
                    }
                    break;
                case FlowControl.Next:
                {
                    if (Check(view, start - 1, run, registers, memory, symbols, depth + 1, visited) is not { } why) return null;
                    reasons.Add(why);
                    break;
                }
                case FlowControl.UnconditionalBranch or FlowControl.IndirectBranch or FlowControl.Return or FlowControl.Exception:
                    break; // no fall-through into this block
                default:
                    return null; // a call returns here, or an instruction this analysis does not model
            }
        }

        foreach (var p in view.BranchesTo(blockStart))
        {
            // A branch inside the block itself jumps back to its start: a loop, decided by values of another iteration.
            if (p >= start && p <= index) return null;
            var branch = view.Instructions[p];
            var why = branch.FlowControl == FlowControl.UnconditionalBranch
                ? Check(view, p, run, registers, memory, symbols, depth + 1, visited)
                : RuleOutEdge(view, p, true, run, registers, memory, symbols, depth, visited);
            if (why is null) return null;
            reasons.Add(why);
        }
        // A block no direct branch or fall-through enters (a jump-table or landing-pad target) stays possible.
        return reasons.Count == 0 ? null : string.Join("; ", reasons.Distinct());
    }

    /// <summary>Why <paramref name="run"/> cannot be what executed before the trap: it leaves a constant in a register
    /// (<c>mov eax, 1</c>, <c>xor eax, eax</c>) that the live register does not hold; null when nothing contradicts it.</summary>
    public static string? Contradiction(IEnumerable<Instruction> run, RegisterState registers)
    {
        var constants = new Dictionary<Register, (ulong Value, Instruction At)>();
        var info = new InstructionInfoFactory();
        foreach (var i in run)
        {
            foreach (var used in info.GetInfo(i).GetUsedRegisters())
            {
                if (used.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite)
                    constants.Remove(FullOf(used.Register));
            }
            if (ConstantWritten(i) is { } written) constants[written.Register] = (written.Value, i);
        }
        foreach (var (register, (value, at)) in constants)
        {
            if (registers.Get(register) is { } live && live != value)
                return $"{Disassembly.Format(at)} at 0x{at.IP:x} leaves {Disassembly.Name(register)} = {BranchConditionEvaluator.FormatValue(value, 64, false)}, "
                    + $"but {Disassembly.Name(register)} = {BranchConditionEvaluator.FormatValue(live, 64, false)}";
        }
        return null;
    }

    // A full register set to a known value: mov r32/r64, imm (a 32-bit write clears the upper half) or a zeroing idiom.
    private static (Register Register, ulong Value)? ConstantWritten(in Instruction i)
    {
        if (i.OpCount < 2 || i.Op0Kind != OpKind.Register) return null;
        var destination = i.Op0Register;
        var size = destination.GetSize();
        if (size is not (4 or 8)) return null;
        var full = destination.GetFullRegister();
        if (i.Mnemonic == Mnemonic.Mov && i.Op1Kind is OpKind.Immediate32 or OpKind.Immediate64 or OpKind.Immediate32to64)
            return (full, size == 4 ? i.GetImmediate(1) & 0xFFFF_FFFF : i.GetImmediate(1));
        if (i.Mnemonic is Mnemonic.Xor or Mnemonic.Sub && i.Op1Kind == OpKind.Register && i.Op1Register == destination)
            return (full, 0);
        return null;
    }

    private static Register FullOf(Register r) =>
        r is Register.AH or Register.BH or Register.CH or Register.DH ? r switch
        {
            Register.AH => Register.RAX, Register.BH => Register.RBX, Register.CH => Register.RCX, _ => Register.RDX,
        } : r.GetFullRegister();

    /// <summary>Why control cannot have left the branch at <paramref name="branchIndex"/> along the given edge, or null.</summary>
    private static string? RuleOutEdge(CodeView view, int branchIndex, bool taken, List<Instruction> run, RegisterState registers,
        IByteSource? memory, ISymbolizer? symbols, int depth, HashSet<int> visited)
    {
        var branch = view.Instructions[branchIndex];
        if (branch.ConditionCode == ConditionCode.None) return null;
        var edge = taken ? "is taken" : "falls through";
        var result = BranchConditionEvaluator.Evaluate(view, branchIndex, run, taken, registers, memory, symbols);
        return result.Status switch
        {
            ConditionStatus.DoesNotHold => $"it runs only when the branch at 0x{branch.IP:x} {edge}, but {result.Evidence}",
            // The edge would be followed, if the branch itself ran.
            ConditionStatus.Holds => Check(view, branchIndex, run, registers, memory, symbols, depth + 1, visited),
            _ => null,
        };
    }
}
