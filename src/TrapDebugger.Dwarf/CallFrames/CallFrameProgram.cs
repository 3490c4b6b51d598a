using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>Runs a CIE's initial instructions and then an FDE's instructions, producing the FDE's unwind rows.</summary>
/// <remarks>Rows are cut exactly where llvm-dwarfdump cuts them (every advance and set_loc starts a new row), so the
/// table can be compared row by row. Work is linear in the instruction bytes; the remember-state stack is bounded.</remarks>
internal static class CallFrameProgram
{
    private const int MaxRememberDepth = 1024;
    private const ulong MaxRegister = 0xffff;

    private sealed class State
    {
        public CfaRule Cfa = CfaRule.Unspecified;
        public SortedDictionary<int, RegisterRule> Registers = [];

        public State Clone() => new() { Cfa = Cfa, Registers = new SortedDictionary<int, RegisterRule>(Registers) };
    }

    private readonly record struct PendingRow(ulong Address, CfaRule Cfa, KeyValuePair<int, RegisterRule>[] Registers);

    public static UnwindRow[] Run(CallFrameInfo table, FrameDescriptionEntry fde)
    {
        var cie = fde.Cie;
        var rows = new List<PendingRow>();
        var state = new State();
        ulong address = fde.InitialLocation;
        Execute(table, cie, fde, cie.InstructionsOffset, cie.InstructionsLength, state, initial: null, rows, ref address);
        var initial = new SortedDictionary<int, RegisterRule>(state.Registers);
        Execute(table, cie, fde, fde.InstructionsOffset, fde.InstructionsLength, state, initial, rows, ref address);
        if (state.Cfa.IsDefined || state.Registers.Count > 0)
            rows.Add(new PendingRow(address, state.Cfa, [.. state.Registers]));

        var result = new UnwindRow[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            ulong end = i + 1 < rows.Count ? rows[i + 1].Address : Math.Max(fde.EndAddress, rows[i].Address);
            result[i] = new UnwindRow(rows[i].Address, end, rows[i].Cfa, rows[i].Registers, fde);
        }
        return result;
    }

    private static void Execute(CallFrameInfo table, CommonInformationEntry cie, FrameDescriptionEntry fde, int start, int length,
        State state, SortedDictionary<int, RegisterRule>? initial, List<PendingRow> rows, ref ulong address)
    {
        var data = table.Data;
        var r = new ByteReader(data.Span[..(start + length)], table.SectionName, start);
        var remembered = new Stack<State>();
        ulong caf = cie.CodeAlignmentFactor;
        long daf = cie.DataAlignmentFactor;
        bool inCie = initial == null;

        while (!r.AtEnd)
        {
            int opOffset = r.Position;
            byte op = r.ReadU8();
            byte primary = (byte)(op & 0xc0);
            if (primary == (byte)CallFrameInstruction.AdvanceLoc)
            {
                Advance(rows, state, ref address, (ulong)(op & 0x3f) * caf);
                continue;
            }
            if (primary == (byte)CallFrameInstruction.Offset)
            {
                state.Registers[op & 0x3f] = new RegisterRule(RegisterRuleKind.Offset, (long)r.ReadUleb128() * daf);
                continue;
            }
            if (primary == (byte)CallFrameInstruction.Restore)
            {
                Restore(state, initial, op & 0x3f);
                continue;
            }

            switch ((CallFrameInstruction)op)
            {
                case CallFrameInstruction.Nop:
                    break;
                case CallFrameInstruction.SetLoc:
                    {
                        if (inCie) throw Error(table, opOffset, "DW_CFA_set_loc in a CIE's initial instructions");
                        ulong target = table.ReadEncodedPointer(ref r, cie.FdeEncoding, cie.AddressSize, fde.InitialLocation).Value;
                        if (target < address)
                            throw Error(table, opOffset, $"DW_CFA_set_loc moves the location backwards from 0x{address:x} to 0x{target:x}");
                        rows.Add(Snapshot(address, state));
                        address = target;
                        break;
                    }
                case CallFrameInstruction.AdvanceLoc1: Advance(rows, state, ref address, r.ReadU8() * caf); break;
                case CallFrameInstruction.AdvanceLoc2: Advance(rows, state, ref address, r.ReadU16() * caf); break;
                case CallFrameInstruction.AdvanceLoc4: Advance(rows, state, ref address, r.ReadU32() * caf); break;
                case CallFrameInstruction.OffsetExtended:
                    state.Registers[Reg(table, ref r)] = new RegisterRule(RegisterRuleKind.Offset, (long)r.ReadUleb128() * daf);
                    break;
                case CallFrameInstruction.OffsetExtendedSf:
                    state.Registers[Reg(table, ref r)] = new RegisterRule(RegisterRuleKind.Offset, r.ReadSleb128() * daf);
                    break;
                case CallFrameInstruction.GnuNegativeOffsetExtended:
                    state.Registers[Reg(table, ref r)] = new RegisterRule(RegisterRuleKind.Offset, -((long)r.ReadUleb128() * daf));
                    break;
                case CallFrameInstruction.ValOffset:
                    state.Registers[Reg(table, ref r)] = new RegisterRule(RegisterRuleKind.ValOffset, (long)r.ReadUleb128() * daf);
                    break;
                case CallFrameInstruction.ValOffsetSf:
                    state.Registers[Reg(table, ref r)] = new RegisterRule(RegisterRuleKind.ValOffset, r.ReadSleb128() * daf);
                    break;
                case CallFrameInstruction.RestoreExtended:
                    Restore(state, initial, Reg(table, ref r));
                    break;
                case CallFrameInstruction.Undefined:
                    state.Registers[Reg(table, ref r)] = RegisterRule.Undefined;
                    break;
                case CallFrameInstruction.SameValue:
                    state.Registers[Reg(table, ref r)] = RegisterRule.SameValue;
                    break;
                case CallFrameInstruction.Register:
                    {
                        int reg = Reg(table, ref r);
                        state.Registers[reg] = new RegisterRule(RegisterRuleKind.Register, Register: Reg(table, ref r));
                        break;
                    }
                case CallFrameInstruction.RememberState:
                    if (remembered.Count >= MaxRememberDepth)
                        throw Error(table, opOffset, $"DW_CFA_remember_state nests deeper than {MaxRememberDepth}");
                    remembered.Push(state.Clone());
                    break;
                case CallFrameInstruction.RestoreState:
                    {
                        if (!remembered.TryPop(out var saved))
                            throw Error(table, opOffset, "DW_CFA_restore_state without a matching DW_CFA_remember_state");
                        state.Cfa = saved.Cfa;
                        state.Registers = saved.Registers;
                        break;
                    }
                case CallFrameInstruction.DefCfa:
                    {
                        int reg = Reg(table, ref r);
                        state.Cfa = CfaRule.RegisterOffset(reg, (long)r.ReadUleb128());
                        break;
                    }
                case CallFrameInstruction.DefCfaSf:
                    {
                        int reg = Reg(table, ref r);
                        state.Cfa = CfaRule.RegisterOffset(reg, r.ReadSleb128() * daf);
                        break;
                    }
                case CallFrameInstruction.DefCfaRegister:
                    state.Cfa = CfaRule.RegisterOffset(Reg(table, ref r), state.Cfa.IsExpression ? 0 : state.Cfa.Offset);
                    break;
                case CallFrameInstruction.DefCfaOffset:
                    if (state.Cfa.IsExpression) throw Error(table, opOffset, "DW_CFA_def_cfa_offset applied to an expression CFA rule");
                    state.Cfa = CfaRule.RegisterOffset(state.Cfa.Register, (long)r.ReadUleb128());
                    break;
                case CallFrameInstruction.DefCfaOffsetSf:
                    if (state.Cfa.IsExpression) throw Error(table, opOffset, "DW_CFA_def_cfa_offset_sf applied to an expression CFA rule");
                    state.Cfa = CfaRule.RegisterOffset(state.Cfa.Register, r.ReadSleb128() * daf);
                    break;
                case CallFrameInstruction.DefCfaExpression:
                    state.Cfa = CfaRule.FromExpression(Block(table, ref r));
                    break;
                case CallFrameInstruction.Expression:
                    {
                        int reg = Reg(table, ref r);
                        state.Registers[reg] = new RegisterRule(RegisterRuleKind.Expression, Expression: Block(table, ref r));
                        break;
                    }
                case CallFrameInstruction.ValExpression:
                    {
                        int reg = Reg(table, ref r);
                        state.Registers[reg] = new RegisterRule(RegisterRuleKind.ValExpression, Expression: Block(table, ref r));
                        break;
                    }
                case CallFrameInstruction.GnuArgsSize:
                    // The outgoing argument area size matters only to exception landing pads, not to unwinding.
                    r.ReadUleb128();
                    break;
                default:
                    throw Error(table, opOffset, $"unknown call frame instruction 0x{op:x2}");
            }
        }
    }

    private static void Advance(List<PendingRow> rows, State state, ref ulong address, ulong delta)
    {
        rows.Add(Snapshot(address, state));
        address += delta;
    }

    private static PendingRow Snapshot(ulong address, State state) => new(address, state.Cfa, [.. state.Registers]);

    private static void Restore(State state, SortedDictionary<int, RegisterRule>? initial, int register)
    {
        if (initial != null && initial.TryGetValue(register, out var rule))
            state.Registers[register] = rule;
        else
            state.Registers.Remove(register);
    }

    private static int Reg(CallFrameInfo table, ref ByteReader r)
    {
        int at = r.Position;
        ulong reg = r.ReadUleb128();
        if (reg > MaxRegister) throw Error(table, at, $"register number {reg} is out of range");
        return (int)reg;
    }

    private static ReadOnlyMemory<byte> Block(CallFrameInfo table, ref ByteReader r)
    {
        int at = r.Position;
        ulong length = r.ReadUleb128();
        if (length > (ulong)r.Remaining)
            throw Error(table, at, $"expression of {length} bytes runs past the end of the entry");
        int start = r.Position;
        r.Skip((long)length);
        return table.Data.Slice(start, (int)length);
    }

    private static InvalidDataException Error(CallFrameInfo table, int offset, string what) =>
        new($"{table.SectionName} at offset 0x{offset:x}: {what}");
}
