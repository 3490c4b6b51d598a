using System.Globalization;
using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>The outcome of replaying one check's compare against the live state.</summary>
/// <param name="Status">Whether the check sends control to the trap.</param>
/// <param name="Evidence">The values behind the status, or why it is unknown.</param>
/// <param name="FlagsAgree">True when the live rflags give the same branch direction, so this check can be the last one executed.</param>
/// <param name="Inputs">The full registers the compare read (when it was replayed), to tell whether later code kept them.</param>
/// <param name="ReadsMemory">True when the compare read a memory operand.</param>
internal readonly record struct ConditionResult(ConditionStatus Status, string Evidence, bool FlagsAgree,
    IReadOnlySet<Register>? Inputs = null, bool ReadsMemory = false);

/// <summary>Replays the flag-setting instruction that feeds a conditional branch, using the registers and memory at the trap.</summary>
/// <remarks>
/// The registers at the trap are those after the path from the branch to the trap executed. An operand is only trusted when
/// nothing between the flag-setting instruction and the trap writes it; a destination the flag-setting instruction itself
/// writes (sub, add, and, inc, …) still holds its result, from which the flags are recomputed.
/// </remarks>
internal static class BranchConditionEvaluator
{
    private const int MaxLookBack = 16;

    public static ConditionResult Evaluate(CodeView view, int branchIndex, IReadOnlyList<Instruction> path, bool trapOnTaken,
        RegisterState registers, IByteSource? memory, ISymbolizer? symbols)
    {
        var branch = view.Instructions[branchIndex];
        var cc = branch.ConditionCode;

        // Find the instruction that last set the flags before the branch, inside the same block.
        var setterIndex = -1;
        for (var k = branchIndex - 1; k >= 0 && k >= branchIndex - MaxLookBack; k--)
        {
            var candidate = view.Instructions[k];
            if (candidate.FlowControl != FlowControl.Next)
                return Unknown("the flags are set in another block");
            if (view.IsBranchTarget(candidate.NextIP))
                return Unknown("another path joins between the compare and the branch");
            if (candidate.RflagsModified != RflagsBits.None)
            {
                setterIndex = k;
                break;
            }
        }
        if (setterIndex < 0) return Unknown("no flag-setting instruction found before the branch");
        var setter = view.Instructions[setterIndex];

        // What runs after the setter until the trap: the rest of its block, then the path from the branch to the trap.
        var after = new List<Instruction>();
        for (var k = setterIndex + 1; k < branchIndex; k++) after.Add(view.Instructions[k]);
        after.AddRange(path);
        var (written, memoryWritten, flagsTouched) = Effects(after);
        var info = new InstructionInfoFactory();

        var replay = Replay(view, setterIndex, registers, memory, written, memoryWritten, symbols, branch.IP);
        if (replay.Flags is not { } flags) return Unknown(replay.Why ?? $"cannot replay {Disassembly.Format(setter)}");
        if (flags.Evaluate(cc) is not { } taken)
            return Unknown(replay.UnknownFlags is { } lost
                ? $"j{cc} reads flags of {Disassembly.Format(setter)} that are not known: {lost}"
                : $"{Disassembly.Format(setter)} does not define the flags j{cc} reads");
        if (replay.Alternative is { } other && other.Evaluate(cc) != taken)
            return Unknown($"j{cc} depends on the carry {Disassembly.Format(setter)} read from earlier code");

        var holds = taken == trapOnTaken;
        var live = Flags.FromRflags(registers.Rflags).Evaluate(cc);
        var agree = !flagsTouched && live == taken;
        var relation = replay.Describe(taken ? cc : Flags.Negate(cc));
        var evidence = $"{relation} ({Disassembly.Format(setter)}; j{cc} {(taken ? "taken" : "not taken")})";
        var inputs = new HashSet<Register>();
        var readsMemory = false;
        var setterInfo = info.GetInfo(setter);
        foreach (var r in setterInfo.GetUsedRegisters())
        {
            if (r.Access is OpAccess.Read or OpAccess.CondRead or OpAccess.ReadWrite or OpAccess.ReadCondWrite)
                inputs.Add(FullOf(r.Register));
        }
        foreach (var m in setterInfo.GetUsedMemory())
        {
            readsMemory = true;
            if (m.Base != Register.None) inputs.Add(FullOf(m.Base));
            if (m.Index != Register.None) inputs.Add(FullOf(m.Index));
        }
        return new ConditionResult(holds ? ConditionStatus.Holds : ConditionStatus.DoesNotHold, evidence, agree, inputs, readsMemory);
    }

    /// <summary>Whether condition <paramref name="cc"/> held on the flags the instruction at <paramref name="setterIndex"/> set,
    /// replayed from the registers at the trap, with the evidence; null when it cannot be told.</summary>
    /// <param name="view">The function's code.</param>
    /// <param name="setterIndex">The flag-setting instruction.</param>
    /// <param name="cc">The condition read from its flags (by a setcc).</param>
    /// <param name="after">Every instruction that ran after the setter until the trap.</param>
    /// <param name="registers">The registers at the trap.</param>
    /// <param name="memory">The process memory.</param>
    /// <param name="symbols">Names registers and memory operands.</param>
    public static (bool Held, string Evidence)? Replayed(CodeView view, int setterIndex, ConditionCode cc, IEnumerable<Instruction> after,
        RegisterState registers, IByteSource? memory, ISymbolizer? symbols)
    {
        var ran = after.ToList();
        var (written, memoryWritten, _) = Effects(ran);
        var at = ran.Count > 0 ? ran[^1].IP : 0;
        var replay = Replay(view, setterIndex, registers, memory, written, memoryWritten, symbols, at);
        if (replay.Flags?.Evaluate(cc) is not { } held) return null;
        if (replay.Alternative is { } other && other.Evaluate(cc) != held) return null;
        return (held, $"{replay.Describe(held ? cc : Flags.Negate(cc))} ({Disassembly.Format(view.Instructions[setterIndex])}; set{cc})");
    }

    private static ConditionResult Unknown(string why) => new(ConditionStatus.Unknown, why, false);

    // What the instructions that ran after a flag setter changed: the full registers they wrote, whether they wrote memory,
    // whether they touched the flags.
    private static (HashSet<Register> Written, bool MemoryWritten, bool FlagsTouched) Effects(IEnumerable<Instruction> ran)
    {
        var written = new HashSet<Register>();
        var memoryWritten = false;
        var flagsTouched = false;
        var info = new InstructionInfoFactory();
        foreach (var i in ran)
        {
            var used = info.GetInfo(i);
            foreach (var r in used.GetUsedRegisters())
            {
                if (IsWrite(r.Access)) written.Add(FullOf(r.Register));
            }
            if (used.GetUsedMemory().Any(m => IsWrite(m.Access))) memoryWritten = true;
            if (i.RflagsModified != RflagsBits.None) flagsTouched = true;
        }
        return (written, memoryWritten, flagsTouched);
    }

    private static bool IsWrite(OpAccess access) => access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite;

    private static Register FullOf(Register r) =>
        r is Register.AH or Register.BH or Register.CH or Register.DH ? r switch
        {
            Register.AH => Register.RAX, Register.BH => Register.RBX, Register.CH => Register.RCX, _ => Register.RDX,
        } : r.GetFullRegister();

    /// <summary>Reads operand <c>op</c> of the flag setter as it was when the setter ran, or says why it cannot.</summary>
    private delegate Operand? ReadOperand(int op, out string? why);

    /// <summary>An operand value with a label for the evidence.</summary>
    private readonly record struct Operand(ulong Value, string Label, bool IsImmediate);

    /// <summary>The replayed flags and the operands they came from.</summary>
    private sealed class ReplayResult
    {
        public Flags? Flags;
        /// <summary>The flags under the other possible carry-in, when the setter read a carry from earlier code (adc, sbb).</summary>
        public Flags? Alternative;
        /// <summary>Words the relation for setters whose operands are not a plain pair (products, shifted results).</summary>
        public Func<ConditionCode, string>? Relation;
        /// <summary>Why some flags the setter defines cannot be recomputed, for the evidence of a branch that reads them.</summary>
        public string? UnknownFlags;
        public string? Why;
        public string Mnemonic = "";
        public Operand A, B;
        public int Bits;
        public bool SameOperand;

        public string Describe(ConditionCode cc)
        {
            if (Relation is not null) return Relation(cc);
            switch (Mnemonic)
            {
                case "cmp" or "sub":
                {
                    var signed = cc is ConditionCode.l or ConditionCode.ge or ConditionCode.le or ConditionCode.g;
                    var a = Show(A, Bits, signed);
                    var b = Show(B, Bits, signed);
                    return cc switch
                    {
                        ConditionCode.b => $"{a} < {b} (unsigned)",
                        ConditionCode.ae => $"{a} ≥ {b} (unsigned)",
                        ConditionCode.e => $"{a} = {b}",
                        ConditionCode.ne => $"{a} ≠ {b}",
                        ConditionCode.be => $"{a} ≤ {b} (unsigned)",
                        ConditionCode.a => $"{a} > {b} (unsigned)",
                        ConditionCode.l => $"{a} < {b} (signed)",
                        ConditionCode.ge => $"{a} ≥ {b} (signed)",
                        ConditionCode.le => $"{a} ≤ {b} (signed)",
                        ConditionCode.g => $"{a} > {b} (signed)",
                        ConditionCode.s => $"{a} − {b} is negative",
                        ConditionCode.ns => $"{a} − {b} is not negative",
                        ConditionCode.o => $"{a} − {b} overflows",
                        ConditionCode.no => $"{a} − {b} does not overflow",
                        ConditionCode.p => $"{a} − {b} has even parity",
                        _ => $"{a} − {b} has odd parity",
                    };
                }
                case "test" or "and" when SameOperand || Mnemonic == "test" && !B.IsImmediate && A.Label == B.Label:
                {
                    var signed = cc is ConditionCode.l or ConditionCode.ge or ConditionCode.le or ConditionCode.g or ConditionCode.s or ConditionCode.ns;
                    var a = Show(A, Bits, signed);
                    return cc switch
                    {
                        ConditionCode.e or ConditionCode.be => $"{a} = 0",
                        ConditionCode.ne or ConditionCode.a => $"{a} ≠ 0",
                        ConditionCode.s or ConditionCode.l => $"{a} < 0",
                        ConditionCode.ns or ConditionCode.ge => $"{a} ≥ 0",
                        ConditionCode.le => $"{a} ≤ 0",
                        ConditionCode.g => $"{a} > 0",
                        _ => $"{a}: j{cc}",
                    };
                }
                case "test" or "and":
                {
                    var a = Show(A, Bits, false);
                    var b = Show(B, Bits, false);
                    return cc switch
                    {
                        ConditionCode.e or ConditionCode.be => $"{a} & {b} = 0",
                        ConditionCode.ne or ConditionCode.a => $"{a} & {b} ≠ 0",
                        _ => $"{a} & {b}: j{cc}",
                    };
                }
                case "bt":
                    return $"bit {Show(B, Bits, false)} of {Show(A, Bits, false)} is {(cc == ConditionCode.b ? "set" : "clear")}";
                default:
                    return B.Label is { Length: > 0 } || B.IsImmediate
                        ? $"{Mnemonic} {Show(A, Bits, false)}, {Show(B, Bits, false)}: j{cc}"
                        : $"{Mnemonic} {Show(A, Bits, false)}: j{cc}";
            }
        }

        public static string Show(Operand o, int bits, bool signed)
        {
            var text = FormatValue(o.Value, bits, signed);
            return o.IsImmediate || o.Label is null ? text : $"{o.Label} = {text}";
        }
    }

    internal static string FormatValue(ulong value, int bits, bool signed)
    {
        value &= Flags.Mask(bits);
        if (signed && Flags.Sign(value, bits))
        {
            var magnitude = (~value + 1) & Flags.Mask(bits);
            return "-" + magnitude.ToString(CultureInfo.InvariantCulture);
        }
        return value < 0x10000 ? value.ToString(CultureInfo.InvariantCulture) : "0x" + value.ToString("x", CultureInfo.InvariantCulture);
    }

    private static ReplayResult Replay(CodeView view, int setterIndex, RegisterState registers, IByteSource? memory,
        HashSet<Register> written, bool memoryWritten, ISymbolizer? symbols, ulong branchAddress)
    {
        var setter = view.Instructions[setterIndex];
        var result = new ReplayResult { Mnemonic = setter.Mnemonic.ToString().ToLowerInvariant() };
        var bits = OperandBits(setter);
        result.Bits = bits;
        if (bits == 0) { result.Why = $"cannot size the operands of {Disassembly.Format(setter)}"; return result; }

        // The destination of sub/add/and/… (register or memory) was written by the setter itself: its live value is the
        // result, from which the operand before is recomputed below.

        Operand? Read(int op, out string? why)
        {
            why = null;
            switch (setter.GetOpKind(op))
            {
                case OpKind.Register:
                {
                    var reg = setter.GetOpRegister(op);
                    var full = FullOf(reg);
                    if (written.Contains(full))
                    {
                        // Unoptimized code: the register was loaded from a slot nothing has written since, which still holds the value.
                        if (Reloaded(reg) is { } reloaded) return reloaded;
                        why = $"{Disassembly.Name(full)} is overwritten between the check and the trap";
                        return null;
                    }
                    if (registers.Get(reg) is not { } v) { why = $"{Disassembly.Name(reg)} is not known"; return null; }
                    var name = Disassembly.Name(reg);
                    var variable = symbols?.VariableInRegister(branchAddress, Disassembly.Name(full));
                    if (variable is not null) return new Operand(v, $"{variable} ({name})", false);
                    // Loaded from a variable, a frame slot or a member just before (unoptimized code compares copies).
                    var k = symbols is null ? -1 : OperandSource.SourceLoad(view.Instructions, setterIndex, reg, view.IsBranchTarget);
                    if (k >= 0 && view.Instructions[k] is { MemoryIndex: Register.None } load
                        && OperandSource.Name(symbols!, view.Instructions, k, load.IP, load.MemoryBase, (long)load.MemoryDisplacement64, view.IsBranchTarget) is { } source)
                        return new Operand(v, $"{source} ({name}, loaded from {OperandSource.Operand(load)})", false);
                    return new Operand(v, name, false);
                }
                case OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64
                    or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64:
                    return new Operand(setter.GetImmediate(op), "", true);
                case OpKind.Memory:
                {
                    if (memoryWritten) { why = "memory is written between the check and the trap"; return null; }
                    if (memory is null) { why = "process memory is not available"; return null; }
                    if (EffectiveAddress.Compute(setter, registers, written, out var address) is { } problem) { why = problem; return null; }
                    var size = setter.MemorySize.GetSize();
                    if (size is < 1 or > 8) { why = $"cannot read a {size}-byte operand"; return null; }
                    Span<byte> buffer = stackalloc byte[8];
                    buffer.Clear();
                    if (memory.Read(address, buffer[..size]) != size) { why = $"memory at 0x{address:x} is not readable"; return null; }
                    var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(buffer);
                    var source = symbols is null || setter.MemoryIndex != Register.None ? null
                        : OperandSource.Name(symbols, view.Instructions, setterIndex, setter.IP, setter.MemoryBase, (long)setter.MemoryDisplacement64, view.IsBranchTarget);
                    return new Operand(value, source is null ? $"[0x{address:x}]" : $"{source} ({OperandSource.Operand(setter)})", false);
                }
                default:
                    why = $"operand kind {setter.GetOpKind(op)} is not replayed";
                    return null;
            }
        }

        // The value of a register the setter read, from the memory it was loaded from by a plain mov (through register copies),
        // when neither that memory nor the load's base register has been written since.
        Operand? Reloaded(Register reg)
        {
            if (memory is null || memoryWritten || symbols is null) return null;
            var k = OperandSource.SourceLoad(view.Instructions, setterIndex, reg, view.IsBranchTarget);
            if (k < 0 || view.Instructions[k] is not { Mnemonic: Mnemonic.Mov, MemoryIndex: Register.None } load) return null;
            var size = reg.GetSize();
            if (load.MemorySize.GetSize() != size || load.MemoryBase is Register.None or Register.RIP || written.Contains(FullOf(load.MemoryBase))) return null;
            var info = new InstructionInfoFactory();
            for (var j = k + 1; j < setterIndex; j++)
            {
                var i = view.Instructions[j];
                var used = info.GetInfo(i);
                if (used.GetUsedMemory().Any(m => m.Access is not (OpAccess.Read or OpAccess.CondRead or OpAccess.NoMemAccess))) return null;
                if (used.GetUsedRegisters().Any(r => FullOf(r.Register) == FullOf(load.MemoryBase) && r.Access is not (OpAccess.Read or OpAccess.CondRead)))
                    return null;
                // Each copy on the way keeps the width: an extension changes the value the compare saw.
                if (i.Mnemonic is Mnemonic.Movsx or Mnemonic.Movzx or Mnemonic.Movsxd) return null;
            }
            if (registers.Get(load.MemoryBase) is not { } baseValue) return null;
            var address = baseValue + load.MemoryDisplacement64;
            Span<byte> buffer = stackalloc byte[8];
            buffer.Clear();
            if (memory.Read(address, buffer[..size]) != size) return null;
            var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(buffer);
            var source = OperandSource.Name(symbols, view.Instructions, k, load.IP, load.MemoryBase, (long)load.MemoryDisplacement64, view.IsBranchTarget);
            return new Operand(value, $"{source ?? $"[0x{address:x}]"} (loaded from {OperandSource.Operand(load)})", false);
        }

        if (setter.Mnemonic is Mnemonic.Imul or Mnemonic.Mul)
        {
            ReplayProduct(setter, result, bits, registers, written, Read);
            return result;
        }
        if (setter.OpCount < 1) { result.Why = $"{Disassembly.Format(setter)} has no operands to replay"; return result; }
        var first = Read(0, out var why0);
        if (first is null) { result.Why = why0; return result; }
        Operand? second = null;
        if (setter.OpCount >= 2)
        {
            second = Read(1, out var why1);
            if (second is null) { result.Why = why1; return result; }
        }
        result.A = first.Value;
        result.B = second ?? default;
        result.SameOperand = setter.OpCount >= 2 && setter.Op0Kind == OpKind.Register && setter.Op1Kind == OpKind.Register
            && setter.Op0Register == setter.Op1Register;
        var a = first.Value.Value;
        var b = second?.Value ?? 0;
        var mask = Flags.Mask(bits);
        if (second is { IsImmediate: true }) b &= mask;

        switch (setter.Mnemonic)
        {
            case Mnemonic.Cmp:
                result.Flags = Flags.Subtract(a, b, bits);
                break;
            case Mnemonic.Test:
                result.Flags = Flags.Logical(a & b, bits);
                break;
            case Mnemonic.Sub when result.SameOperand:
                result.A = result.B = result.A with { Value = 0 };
                result.Flags = Flags.Subtract(0, 0, bits);
                break;
            case Mnemonic.Sub:
                // a is the result; the operand before was result + b.
                result.A = result.A with { Value = (a + b) & mask, Label = result.A.Label + " (before the sub)" };
                result.Flags = Flags.Subtract((a + b) & mask, b, bits);
                break;
            case Mnemonic.Add when result.SameOperand:
                result.Why = "add of a register to itself loses the operand";
                break;
            case Mnemonic.Add:
                result.A = result.A with { Value = (a - b) & mask, Label = result.A.Label + " (before the add)" };
                result.Flags = Flags.Add((a - b) & mask, b, bits);
                break;
            case Mnemonic.And or Mnemonic.Or or Mnemonic.Xor:
                // The destination holds the result, which alone defines the flags.
                result.Mnemonic = "result of " + result.Mnemonic;
                result.B = default;
                result.Flags = Flags.Logical(a, bits);
                break;
            case Mnemonic.Inc:
            {
                var before = (a - 1) & mask;
                var f = Flags.Add(before, 1, bits);
                result.A = result.A with { Value = before, Label = result.A.Label + " (before the inc)" };
                result.Flags = f with { CF = null }; // inc keeps CF from earlier code
                break;
            }
            case Mnemonic.Dec:
            {
                var before = (a + 1) & mask;
                var f = Flags.Subtract(before, 1, bits);
                result.A = result.A with { Value = before, Label = result.A.Label + " (before the dec)" };
                result.Flags = f with { CF = null };
                break;
            }
            case Mnemonic.Neg:
            {
                var before = (0 - a) & mask;
                result.A = result.A with { Value = before, Label = result.A.Label + " (before the neg)" };
                result.Flags = Flags.Subtract(0, before, bits);
                break;
            }
            case Mnemonic.Sbb when result.SameOperand:
            {
                // sbb r, r leaves 0 - carry: the result is 0 or all ones, so the carry it read is in it.
                var borrow = a != 0;
                result.Relation = c => $"{Show(result.A, bits)} after {Disassembly.Format(setter)}, so the carry in was {(borrow ? 1 : 0)}: j{c}";
                result.Flags = new Flags(borrow, Flags.Parity(a), a == 0, Flags.Sign(a, bits), false);
                break;
            }
            case Mnemonic.Adc when result.SameOperand:
                result.Why = "adc of a register to itself loses the operand";
                break;
            case Mnemonic.Adc or Mnemonic.Sbb:
            {
                // The destination holds the result; the operand before depends on the carry read from earlier code, so both
                // carries are replayed and the branch is decided only when they agree.
                var adc = setter.Mnemonic == Mnemonic.Adc;
                Flags Before(bool carry)
                {
                    var c = carry ? 1UL : 0;
                    return adc ? Flags.AddWithCarry((a - b - c) & mask, b, carry, bits) : Flags.SubtractWithBorrow((a + b + c) & mask, b, carry, bits);
                }
                result.Flags = Before(false);
                result.Alternative = Before(true);
                var op = result.Mnemonic;
                var (resultOperand, other) = (result.A, result.B);
                result.Relation = c => $"{Show(resultOperand, bits)} after {op} with {Show(other, bits)} (either carry in): j{c}";
                break;
            }
            case Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar:
            {
                // The destination holds the result. ZF, SF and PF follow from it; CF (the last bit shifted out) left with the
                // operand; OF is defined only for 1-bit shifts: shr sets it to the operand's old top bit, now the result's
                // bit n-2, sar clears it, shl needs the lost CF. A count of 0 leaves the flags of earlier code (Intel SDM).
                var count = (int)((setter.OpCount == 1 ? 1 : b) & (bits == 64 ? 63UL : 31UL));
                if (count == 0) { result.Why = $"{Disassembly.Format(setter)} shifts by 0 and leaves the flags of earlier code"; break; }
                bool? overflow = count != 1 ? null : setter.Mnemonic switch
                {
                    Mnemonic.Shr => ((a >> (bits - 2)) & 1) != 0,
                    Mnemonic.Sar => false,
                    _ => null,
                };
                result.Flags = new Flags(null, Flags.Parity(a), a == 0, Flags.Sign(a, bits), overflow);
                result.UnknownFlags = count == 1
                    ? "the carry is the bit shifted out of the overwritten operand"
                    : "the carry is the bit shifted out of the overwritten operand, and OF is undefined after a shift by more than 1";
                var shifted = result.A;
                var shift = $"{result.Mnemonic} by {count}";
                result.Relation = c => $"{Show(shifted, bits)} after {shift}" + c switch
                {
                    ConditionCode.e => " is 0",
                    ConditionCode.ne => " is not 0",
                    ConditionCode.s => " is negative",
                    ConditionCode.ns => " is not negative",
                    ConditionCode.p => " has even parity",
                    ConditionCode.np => " has odd parity",
                    _ => $": j{c}",
                };
                break;
            }
            case Mnemonic.Bt when setter.Op0Kind == OpKind.Register:
            {
                var bit = (int)(b % (ulong)bits);
                result.Flags = new Flags(((a >> bit) & 1) != 0, null, null, null, null);
                break;
            }
            default:
                result.Why = $"{Disassembly.Format(setter)} is not a compare the analysis replays";
                break;
        }
        return result;
    }

    /// <summary>imul and mul set CF = OF when the product does not fit the destination and leave SF, ZF and PF undefined.</summary>
    private static void ReplayProduct(Instruction setter, ReplayResult result, int bits, RegisterState registers,
        HashSet<Register> written, ReadOperand read)
    {
        var signed = setter.Mnemonic == Mnemonic.Imul;
        var mask = Flags.Mask(bits);
        switch (setter.OpCount)
        {
            case 3:
            {
                // imul r, r/m, imm: the source and the immediate survive the product.
                if (read(1, out var why1) is not { } source) { result.Why = why1; return; }
                if (read(2, out var why2) is not { } factor) { result.Why = why2; return; }
                var x = SignExtend(source.Value & mask, bits);
                var y = SignExtend(factor.Value & mask, bits);
                var wide = (Int128)x * y;
                var fits = wide >= -((Int128)1 << (bits - 1)) && wide < (Int128)1 << (bits - 1);
                result.A = source;
                result.B = factor;
                result.Flags = new Flags(!fits, null, null, null, !fits);
                result.Relation = c => $"{Show(source, bits, true)} × {Show(factor, bits, true)} "
                    + (c is ConditionCode.o or ConditionCode.b ? "does not fit" : c is ConditionCode.no or ConditionCode.ae ? "fits" : $"j{c}")
                    + $" in {bits} bits (signed)";
                return;
            }
            case 1:
            {
                // imul/mul r/m: the whole product is left in rdx:rax (ax for bytes).
                if (written.Contains(Register.RAX) || (bits > 8 && written.Contains(Register.RDX)))
                {
                    result.Why = "the product in rdx:rax is overwritten between the check and the trap";
                    return;
                }
                if (registers.Get(Register.RAX) is not { } rax || registers.Get(Register.RDX) is not { } rdx)
                {
                    result.Why = "rax or rdx is not known";
                    return;
                }
                var low = rax & mask;
                var high = bits == 8 ? (rax >> 8) & 0xFF : rdx & mask;
                var fits = signed ? high == (Flags.Sign(low, bits) ? mask : 0) : high == 0;
                var (highName, lowName) = bits switch
                {
                    8 => ("ah", "al"),
                    16 => ("dx", "ax"),
                    32 => ("edx", "eax"),
                    _ => ("rdx", "rax"),
                };
                result.Flags = new Flags(!fits, null, null, null, !fits);
                result.Relation = c => $"the product {highName}:{lowName} = 0x{high:x}:{low:x} "
                    + (c is ConditionCode.o or ConditionCode.b ? "does not fit" : c is ConditionCode.no or ConditionCode.ae ? "fits" : $"j{c}")
                    + $" in {bits} bits ({(signed ? "signed" : "unsigned")})";
                return;
            }
            default:
                // imul r, r/m: the destination was the first factor and now holds the truncated product.
                result.Why = $"{Disassembly.Format(setter)} overwrote its first factor with the product";
                return;
        }
    }

    private static long SignExtend(ulong value, int bits) => bits >= 64 ? (long)value : (long)(value << (64 - bits)) >> (64 - bits);

    private static string Show(Operand o, int bits, bool signed = false) => ReplayResult.Show(o, bits, signed);

    private static int OperandBits(in Instruction i)
    {
        if (i.OpCount == 0) return 0;
        if (i.Op0Kind == OpKind.Register) return i.Op0Register.GetSize() * 8;
        if (i.Op0Kind == OpKind.Memory) return i.MemorySize.GetSize() * 8;
        return 0;
    }
}
