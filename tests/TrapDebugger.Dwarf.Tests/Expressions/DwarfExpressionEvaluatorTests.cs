using System.Globalization;
using TrapDebugger.Dwarf.Expressions;

namespace TrapDebugger.Dwarf.Tests.Expressions;

/// <summary>Every DW_OP opcode, as rows of expression bytes evaluated against one fixed program state.</summary>
/// <remarks>State: register n holds 0x1000·(n+1) except RBX (3), which is unavailable; memory 0x2000 holds
/// 88 77 66 55 44 33 22 11 and 0x3000 holds 0x2000; frame base 0x7000; CFA 0x8000; load bias 0x400000;
/// .debug_addr entry i is 0x10000 + 8i; base type DIE 0x30 is a signed char and 0x40 an unsigned int.</remarks>
public sealed class DwarfExpressionEvaluatorTests
{
    public static TheoryData<string, string, string> Rows() => new()
    {
        // literals and constants
        { "lit0", "30", "memory 0x0" },
        { "lit31", "4f", "memory 0x1f" },
        { "addr adds the load bias", "03 00 10 00 00 00 00 00 00", "memory 0x401000" },
        { "const1u", "08 ff 9f", "value 0xff" },
        { "const1s", "09 ff 9f", "value 0xffffffffffffffff" },
        { "const2u", "0a 34 12 9f", "value 0x1234" },
        { "const2s", "0b fe ff 9f", "value 0xfffffffffffffffe" },
        { "const4u", "0c 78 56 34 12 9f", "value 0x12345678" },
        { "const4s", "0d fc ff ff ff 9f", "value 0xfffffffffffffffc" },
        { "const8u", "0e 08 07 06 05 04 03 02 01 9f", "value 0x102030405060708" },
        { "const8s", "0f f8 ff ff ff ff ff ff ff 9f", "value 0xfffffffffffffff8" },
        { "constu", "10 e5 8e 26 9f", "value 0x98765" },
        { "consts", "11 7f 9f", "value 0xffffffffffffffff" },
        // stack manipulation
        { "dup", "31 12 22 9f", "value 0x2" },
        { "drop", "31 32 13 9f", "value 0x1" },
        { "over", "31 32 14 9f", "value 0x1" },
        { "pick", "31 32 33 15 02 9f", "value 0x1" },
        { "swap", "31 32 16 1c 9f", "value 0x1" },
        { "rot moves the top to third", "31 32 33 17 9f", "value 0x2" },
        { "rot leaves the old top below", "31 32 33 17 13 13 9f", "value 0x3" },
        // memory
        { "deref", "0a 00 20 06 9f", "value 0x1122334455667788" },
        { "deref of a pointer", "0a 00 30 06 06 9f", "value 0x1122334455667788" },
        { "deref_size 2", "0a 00 20 94 02 9f", "value 0x7788" },
        { "deref_type sign-extends through the base type", "0a 00 20 a6 01 30 9f", "value 0xffffffffffffff88" },
        { "GNU_deref_type", "0a 00 20 f6 04 40 9f", "value 0x55667788" },
        { "deref of unreadable memory", "0a 00 50 06", "unavailable: memory at 0x5000 is not readable" },
        { "xderef", "30 30 18", "unavailable: DW_OP_xderef needs address spaces, which x86-64 does not have" },
        { "xderef_type", "30 30 a7 04 40", "unavailable: DW_OP_xderef_type needs address spaces, which x86-64 does not have" },
        { "GNU_encoded_addr", "f1 00", "unavailable: DW_OP_GNU_encoded_addr is not supported" },
        { "xderef_size", "30 30 95 04", "unavailable: DW_OP_xderef_size needs address spaces, which x86-64 does not have" },
        // arithmetic and logic
        { "abs", "11 7b 19 9f", "value 0x5" },
        { "and", "3c 3a 1a 9f", "value 0x8" },
        { "div is signed", "11 78 32 1b 9f", "value 0xfffffffffffffffc" },
        { "div by zero", "31 30 1b", "unavailable: the expression divides by zero" },
        { "minus", "35 32 1c 9f", "value 0x3" },
        { "mod", "37 33 1d 9f", "value 0x1" },
        { "mul", "36 37 1e 9f", "value 0x2a" },
        { "neg", "35 1f 9f", "value 0xfffffffffffffffb" },
        { "not", "30 20 9f", "value 0xffffffffffffffff" },
        { "or", "3c 33 21 9f", "value 0xf" },
        { "plus", "35 36 22 9f", "value 0xb" },
        { "plus_uconst", "35 23 80 01 9f", "value 0x85" },
        { "shl", "31 34 24 9f", "value 0x10" },
        { "shr", "11 70 3c 25 9f", "value 0xfffffffffffff" },
        { "shra", "11 70 3c 26 9f", "value 0xffffffffffffffff" },
        { "xor", "3c 3a 27 9f", "value 0x6" },
        // comparisons (signed)
        { "eq", "33 33 29 9f", "value 0x1" },
        { "ge", "11 7f 30 2a 9f", "value 0x0" },
        { "gt", "32 31 2b 9f", "value 0x1" },
        { "le", "32 32 2c 9f", "value 0x1" },
        { "lt", "11 7f 30 2d 9f", "value 0x1" },
        { "ne", "32 33 2e 9f", "value 0x1" },
        // control flow
        { "skip", "2f 01 00 31 32 9f", "value 0x2" },
        { "bra taken", "31 28 01 00 35 36 9f", "value 0x6" },
        { "bra not taken", "30 28 01 00 35 36 9f", "value 0x6" },
        { "bra loop counts down to zero", "35 12 28 03 00 2f 05 00 31 1c 2f f4 ff 9f", "value 0x0" },
        { "skip outside the expression", "2f 10 00", "error: jumps to offset 19" },
        { "endless loop hits the step bound", "2f fd ff", "error: exceeded 100000 steps" },
        // registers
        { "reg0", "50", "register 0" },
        { "reg31", "6f", "register 31" },
        { "regx", "90 21", "register 33" },
        { "breg7", "77 10", "memory 0x8010" },
        { "breg31", "8f 7f", "memory 0x1ffff" },
        { "bregx", "92 10 08", "memory 0x11008" },
        { "breg of an unavailable register", "73 00", "unavailable: register RBX is not available in this frame" },
        { "regval_type", "a5 06 40 9f", "value 0x7000" },
        { "GNU_regval_type", "f5 06 30 9f", "value 0x0" },
        { "fbreg", "91 6c", "memory 0x6fec" },
        { "call_frame_cfa", "9c", "memory 0x8000" },
        // address table
        { "addrx adds the load bias", "a1 02", "memory 0x410010" },
        { "GNU_addr_index", "fb 01", "memory 0x410008" },
        { "constx does not", "a2 02 9f", "value 0x10010" },
        { "GNU_const_index", "fc 03 9f", "value 0x10018" },
        { "addrx of a missing entry", "a1 e4 00", "unavailable: entry 100 of the address table (.debug_addr) is not available" },
        // implicit locations and pieces
        { "implicit_value", "9e 03 aa bb cc", "implicit aa bb cc" },
        { "stack_value", "35 9f", "value 0x5" },
        { "piece of register and memory", "50 93 04 77 08 93 04", "composite [register 0:32@0, memory 0x8008:32@0]" },
        { "bit_piece", "51 9d 03 05 9d 05 00", "composite [register 1:3@5, unavailable:5@0]" },
        { "piece of a stack value", "35 9f 93 02 9e 01 ff 93 01", "composite [value 0x5:16@0, implicit ff:8@0]" },
        { "operations after the last piece", "50 93 04 30", "error: operations after the last DW_OP_piece are not followed by a piece" },
        { "implicit_pointer", "a0 10 00 00 00 04", "unavailable: the value is a pointer to an optimized-out object (DIE 0x10 + 4) that has no address" },
        { "GNU_implicit_pointer", "f2 20 00 00 00 00", "unavailable: the value is a pointer to an optimized-out object (DIE 0x20 + 0) that has no address" },
        { "entry_value", "a3 01 55 9f", "unavailable: value at function entry not recoverable" },
        { "GNU_entry_value", "f3 02 92 05 9f", "unavailable: value at function entry not recoverable" },
        { "form_tls_address", "30 9b", "unavailable: DW_OP_form_tls_address: thread-local storage addresses are not supported yet" },
        { "GNU_push_tls_address", "30 e0", "unavailable: DW_OP_GNU_push_tls_address: thread-local storage addresses are not supported yet" },
        { "GNU_parameter_ref", "fa 10 00 00 00", "unavailable: the parameter's value at the call site (DW_OP_GNU_parameter_ref) is not recoverable" },
        { "push_object_address", "97", "unavailable: DW_OP_push_object_address needs the object being evaluated, which is not known here" },
        { "call2", "98 10 00", "unavailable: DW_OP_call2 (calling another DIE's expression) is not supported" },
        { "call4", "99 10 00 00 00", "unavailable: DW_OP_call4 (calling another DIE's expression) is not supported" },
        { "call_ref", "9a 10 00 00 00", "unavailable: DW_OP_call_ref (calling another DIE's expression) is not supported" },
        // typed values
        { "const_type", "a4 40 04 ff ff ff ff 9f", "value 0xffffffff" },
        { "GNU_const_type", "f4 30 01 80 9f", "value 0xffffffffffffff80" },
        { "convert truncates to the base type", "0a ff 01 a8 30 9f", "value 0xffffffffffffffff" },
        { "GNU_convert", "0a ff 01 f7 40 9f", "value 0x1ff" },
        { "convert to the generic type", "0a ff 01 a8 00 9f", "value 0x1ff" },
        { "reinterpret", "0a ff 01 a9 30 9f", "value 0xffffffffffffffff" },
        { "GNU_reinterpret", "0a ff 01 f9 40 9f", "value 0x1ff" },
        // odds and ends
        { "nop", "96 31 96", "memory 0x1" },
        { "GNU_uninit", "31 f0", "memory 0x1" },
        { "empty expression", "", "unavailable: the value is optimized out" },
        { "stack underflow", "22", "error: DW_OP_plus needs a value but the stack is empty" },
        { "pick past the bottom", "30 15 05", "error: reaches 6 deep" },
        { "operation after a register location", "50 30", "error: DW_OP_lit0 follows a location" },
        { "unknown opcode", "ff", "error: unknown operation 0xff" },
        { "truncated operand", "0c 01 02", "error: runs past the end" },
        { "implicit_value past the end", "9e 05 01", "error: runs past the end" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void OperationEvaluatesAsExpected(string name, string hex, string expected)
    {
        _ = name;
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        var evaluator = new DwarfExpressionEvaluator();
        string actual;
        try
        {
            actual = Describe(evaluator.Evaluate(bytes, new FixedState()));
        }
        catch (InvalidDataException e)
        {
            Assert.StartsWith("DWARF expression at offset 0x", e.Message);
            actual = "error: " + e.Message;
        }
        if (expected.StartsWith("error: ", StringComparison.Ordinal))
            Assert.Contains(expected["error: ".Length..], actual);
        else
            Assert.Equal(expected, actual);
    }

    [Fact]
    public void StackDepthIsBounded()
    {
        var bytes = Enumerable.Repeat((byte)0x30, 2000).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => new DwarfExpressionEvaluator(maxStack: 1024).Evaluate(bytes, new FixedState()));
        Assert.Contains("exceeds 1024 entries", e.Message);
    }

    [Fact]
    public void InitialStackValueIsPushedFirst()
    {
        // A CFI DW_CFA_expression rule: CFA is pushed, then "DW_OP_lit8, DW_OP_minus".
        var location = new DwarfExpressionEvaluator().Evaluate([0x38, 0x1c], new FixedState(), initialStack: 0x8000);
        Assert.Equal(new DwarfLocation.Memory(0x7ff8), location);
    }

    [Fact]
    public void EveryOpcodeNameIsCoveredByARow()
    {
        var covered = Rows().Select(r => (string)r.Data.Item2).Where(h => h.Length > 0)
            .SelectMany(h => Convert.FromHexString(h.Replace(" ", "", StringComparison.Ordinal)).Take(1)).ToHashSet();
        // Opcodes that only appear as operands or inside other rows' tails are listed explicitly.
        covered.UnionWith([0x9f, 0x06, 0x13, 0x1c]);
        var missing = Enum.GetValues<DwarfOperation>().Select(o => (byte)o)
            .Where(o => o is not (>= 0x30 and <= 0x4f) && o is not (>= 0x50 and <= 0x6f) && o is not (>= 0x70 and <= 0x8f))
            .Where(o => !covered.Contains(o) && !Rows().Any(r => ((string)r.Data.Item2).Contains(o.ToString("x2", CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            .Select(o => DwarfOperationNames.Name(o)).ToList();
        Assert.Empty(missing);
    }

    internal static string Describe(DwarfLocation location) => location switch
    {
        DwarfLocation.Memory m => $"memory 0x{m.Address:x}",
        DwarfLocation.Register r => $"register {r.Number}",
        DwarfLocation.ImplicitValue i => "implicit " + string.Join(' ', i.Bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture))),
        DwarfLocation.StackValue s => $"value 0x{s.Value:x}",
        DwarfLocation.Unavailable u => "unavailable: " + u.Reason,
        DwarfLocation.Composite c => "composite [" + string.Join(", ", c.Pieces.Select(p =>
            (p.Location is DwarfLocation.Unavailable ? "unavailable" : Describe(p.Location)) + $":{p.SizeInBits}@{p.OffsetInBits}")) + "]",
        _ => location.ToString(),
    };

    private sealed class FixedState : IDwarfExpressionContext
    {
        private static readonly Dictionary<ulong, byte[]> Memory = new()
        {
            [0x2000] = [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11],
            [0x3000] = [0x00, 0x20, 0, 0, 0, 0, 0, 0],
        };

        public ulong? ReadRegister(int register) => register == 3 ? null : 0x1000UL * (ulong)(register + 1);

        public bool ReadMemory(ulong address, Span<byte> destination)
        {
            if (!Memory.TryGetValue(address, out var bytes) || destination.Length > bytes.Length) return false;
            bytes.AsSpan(0, destination.Length).CopyTo(destination);
            return true;
        }

        public ulong? FrameBase => 0x7000;
        public ulong? CanonicalFrameAddress => 0x8000;
        public ulong LoadBias => 0x400000;
        public ulong? ReadAddressTableEntry(ulong index) => index < 10 ? 0x10000 + 8 * index : null;

        public (int Size, bool Signed)? ResolveBaseType(ulong dieOffset) => dieOffset switch
        {
            0x30 => (1, true),
            0x40 => (4, false),
            _ => null,
        };
    }
}
