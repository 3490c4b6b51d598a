using System.Buffers.Binary;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Calls;
using TrapDebugger.Engine.Values;
using TrapDebugger.Targets;

namespace TrapDebugger.Engine.Tests;

/// <summary>The System V x86-64 rules a function call follows, from types and bytes: the class of each eightbyte of an
/// argument or result, the registers and stack slots a call uses, and a result read back from registers or memory.</summary>
public sealed class SysVCallTests
{
    private static CompositeType Struct(string name, params (string Name, DwarfType Type, ulong Offset)[] members)
    {
        var s = new CompositeType(DwarfTypeKind.Structure) { Name = name, ByteSize = members.Max(m => m.Offset + m.Type.ByteSize + 7) / 8 * 8 };
        foreach (var (n, t, o) in members) s.AddMember(new DataMember(n, t, o));
        return s;
    }

    public static TheoryData<string, DwarfType, PassingClass[]> Classes() => new()
    {
        { "int", BuiltinTypes.Int, [PassingClass.Integer] },
        { "double", BuiltinTypes.Double, [PassingClass.Sse] },
        { "char *", BuiltinTypes.CharPointer, [PassingClass.Integer] },
        { "{int, int}", Struct("pair", ("a", BuiltinTypes.Int, 0), ("b", BuiltinTypes.Int, 4)), [PassingClass.Integer] },
        { "{double, int}", Struct("mixed", ("d", BuiltinTypes.Double, 0), ("i", BuiltinTypes.Int, 8)), [PassingClass.Sse, PassingClass.Integer] },
        { "{float x4}", Struct("quad", ("a", BuiltinTypes.Float, 0), ("b", BuiltinTypes.Float, 4), ("c", BuiltinTypes.Float, 8), ("d", BuiltinTypes.Float, 12)), [PassingClass.Sse, PassingClass.Sse] },
        { "{float, int}", Struct("fi", ("f", BuiltinTypes.Float, 0), ("i", BuiltinTypes.Int, 4)), [PassingClass.Integer] },
        { "{long x3}", Struct("triple", ("x", BuiltinTypes.Long, 0), ("y", BuiltinTypes.Long, 8), ("z", BuiltinTypes.Long, 16)), [PassingClass.Memory] },
        { "{char, double}", Struct("cd", ("c", BuiltinTypes.Char, 0), ("d", BuiltinTypes.Double, 8)), [PassingClass.Integer, PassingClass.Sse] },
        { "{int[3]}", Struct("arr", ("v", new ArrayType { Element = BuiltinTypes.Int, Dimensions = [3UL] }, 0)), [PassingClass.Integer, PassingClass.Integer] },
        { "non-trivial class", new CompositeType(DwarfTypeKind.Class) { Name = "owner", ByteSize = 8, PassedByReference = true }, [PassingClass.Memory] },
    };

    [Theory]
    [MemberData(nameof(Classes))]
    public void EightbytesAreClassified(string what, DwarfType type, PassingClass[] expected)
    {
        _ = what;
        Assert.Equal(expected, SysVCall.Classify(type));
    }

    [Fact]
    public void X87LongDoubleIsRefusedWithAReason()
    {
        var e = Assert.Throws<ValueException>(() => SysVCall.Classify(BuiltinTypes.LongDouble));
        Assert.Contains("x87", e.Message);
    }

    [Fact]
    public void SeventhIntegerGoesOnTheStackAboveTheReturnAddressAndTheRedZoneIsKept()
    {
        var signature = new CallSignature("f", 0x401000, BuiltinTypes.Int, [.. Enumerable.Repeat<DwarfType>(BuiltinTypes.Long, 7)], false);
        var arguments = Enumerable.Range(1, 7).Select(i => DebugValue.FromInteger(BuiltinTypes.Long, i * 10)).ToList();
        const ulong rsp = 0x7ffd_0000_1238;
        var plan = SysVCall.Plan(signature, arguments, new ArrayTargetMemory(0, []), rsp, 0x401000);
        Assert.Equal([10UL, 20, 30, 40, 50, 60], plan.IntegerRegisters);
        Assert.Empty(plan.VectorRegisters);
        Assert.Null(plan.ResultAddress);
        // At the first instruction rsp points at the return address and rsp + 8 is 16-byte aligned, below the red zone.
        Assert.Equal(0UL, (plan.StackPointer + 8) % 16);
        Assert.True(plan.StackPointer + 8 + 8 <= rsp - SysVCall.RedZone);
        var memory = Apply(plan);
        Assert.Equal(0x401000UL, BinaryPrimitives.ReadUInt64LittleEndian(memory[plan.StackPointer]));
        Assert.Equal(70UL, BinaryPrimitives.ReadUInt64LittleEndian(memory[plan.StackPointer + 8]));
    }

    [Fact]
    public void LargeResultComesBackThroughAHiddenPointerInRdi()
    {
        var triple = Struct("triple", ("x", BuiltinTypes.Long, 0), ("y", BuiltinTypes.Long, 8), ("z", BuiltinTypes.Long, 16));
        var signature = new CallSignature("make", 0x401000, triple, [BuiltinTypes.Long], false);
        var plan = SysVCall.Plan(signature, [DebugValue.FromInteger(BuiltinTypes.Long, 5)], new ArrayTargetMemory(0, []), 0x7ffd_0000_2000, 0x401000);
        Assert.NotNull(plan.ResultAddress);
        Assert.Equal([plan.ResultAddress!.Value, 5UL], plan.IntegerRegisters);
        Assert.Equal(0UL, plan.ResultAddress.Value % 16);
        var image = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(image, 5);
        BinaryPrimitives.WriteInt64LittleEndian(image.AsSpan(8), 10);
        BinaryPrimitives.WriteInt64LittleEndian(image.AsSpan(16), 15);
        var result = SysVCall.Result(triple, plan, plan.ResultAddress.Value, 0, new byte[16], new byte[16], new ArrayTargetMemory(plan.ResultAddress.Value, image))!;
        Assert.Equal("(x = 5, y = 10, z = 15)", new ValueFormatter(new ArrayTargetMemory(0, [])).Format(result));
    }

    [Fact]
    public void MixedResultIsAssembledFromXmm0AndRax()
    {
        var mixed = Struct("mixed", ("d", BuiltinTypes.Double, 0), ("i", BuiltinTypes.Int, 8));
        var plan = SysVCall.Plan(new CallSignature("m", 0x401000, mixed, [], false), [], new ArrayTargetMemory(0, []), 0x7ffd_0000_2000, 0x401000);
        var xmm0 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(xmm0, 2.5);
        var result = SysVCall.Result(mixed, plan, 7, 0, xmm0, new byte[16], new ArrayTargetMemory(0, []))!;
        Assert.Equal("(d = 2.5, i = 7)", new ValueFormatter(new ArrayTargetMemory(0, [])).Format(result));
    }

    [Fact]
    public void StringLiteralIsCopiedBelowTheStackAndPassedByAddress()
    {
        var literal = System.Text.Encoding.UTF8.GetBytes("hi\0");
        var argument = DebugValue.FromBytes(new ArrayType { Element = BuiltinTypes.Char, Dimensions = [3UL] }, literal);
        var plan = SysVCall.Plan(new CallSignature("len", 0x401000, BuiltinTypes.UnsignedLong, [BuiltinTypes.CharPointer], false), [argument],
            new ArrayTargetMemory(0, []), 0x7ffd_0000_2000, 0x401000);
        var memory = Apply(plan);
        Assert.Equal(literal, memory[plan.IntegerRegisters[0]]);
        Assert.True(plan.IntegerRegisters[0] < 0x7ffd_0000_2000 - SysVCall.RedZone);
    }

    private static Dictionary<ulong, byte[]> Apply(CallPlan plan) => plan.Writes.ToDictionary(w => w.Address, w => w.Bytes);
}
