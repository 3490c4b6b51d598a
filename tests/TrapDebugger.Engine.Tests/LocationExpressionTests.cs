using System.Buffers.Binary;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;
using TrapDebugger.Targets;

namespace TrapDebugger.Engine.Tests;

/// <summary>Location expressions that need more than the frame: a virtual base's offset read through the object's vtable
/// (the gcc and clang forms), and thread-local addresses, evaluated from bytes.</summary>
public sealed class LocationExpressionTests
{
    private const ulong Object = 0x2000;
    private const ulong Vtable = 0x2100;

    // An object whose vptr (first 8 bytes) points at a vtable with the virtual base offset 0x30 at vtable[-24].
    private static ArrayTargetMemory ObjectWithVtable(long baseOffset)
    {
        var bytes = new byte[0x200];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Vtable);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan((int)(Vtable - 24 - Object)), baseOffset);
        return new ArrayTargetMemory(Object, bytes);
    }

    public static TheoryData<string, byte[]> VirtualBaseForms() => new()
    {
        // clang: DW_OP_dup, DW_OP_deref, DW_OP_constu 0x18, DW_OP_minus, DW_OP_deref, DW_OP_plus
        { "clang", [0x12, 0x06, 0x10, 0x18, 0x1c, 0x06, 0x22] },
        // gcc: DW_OP_dup, DW_OP_deref, DW_OP_lit24, DW_OP_minus, DW_OP_deref, DW_OP_plus
        { "gcc", [0x12, 0x06, 0x48, 0x1c, 0x06, 0x22] },
    };

    [Theory]
    [MemberData(nameof(VirtualBaseForms))]
    public void VirtualBaseIsFoundThroughTheVtable(string producer, byte[] expression)
    {
        _ = producer;
        var memory = ObjectWithVtable(0x30);
        var baseType = new CompositeType(DwarfTypeKind.Structure) { Name = "Base", ByteSize = 4 };
        baseType.AddMember(new DataMember("id", BuiltinTypes.Int, 0));
        var derived = new CompositeType(DwarfTypeKind.Structure) { Name = "Derived", ByteSize = 0x40 };
        var link = new BaseClass(baseType, 0, true) { OffsetExpression = expression };
        derived.AddBase(link);
        memory.Write(Object + 0x30, BitConverter.GetBytes(77));

        var value = DebugValue.InMemory(derived, Object);
        var sub = value.BaseSubobject(link, memory);
        Assert.Equal(Object + 0x30, sub.Address);
        Assert.Equal("77", new ValueFormatter(memory).Format(value.Member("id", memory)!));
        Assert.Null(value.Member("id"));
    }

    [Fact]
    public void VirtualBaseWithAnUnreadableVtableIsUnavailableWithAReason()
    {
        var memory = new ArrayTargetMemory(Object, BitConverter.GetBytes(0xdead0000UL));
        var link = new BaseClass(BuiltinTypes.Int, 0, true) { OffsetExpression = new byte[] { 0x12, 0x06, 0x48, 0x1c, 0x06, 0x22 } };
        var sub = DebugValue.InMemory(new CompositeType(DwarfTypeKind.Structure) { Name = "D", ByteSize = 8 }, Object).BaseSubobject(link, memory);
        Assert.False(sub.IsAvailable);
        Assert.StartsWith("virtual base: cannot read memory", sub.Error);
    }

    private sealed class ThreadContext(ThreadLocalAddress answer) : ILocationContext
    {
        public ulong? Offset { get; private set; }
        public IByteSource Memory { get; } = new ArrayTargetMemory(0, []);
        public ulong? FrameBase => null;
        public ulong? Cfa => null;
        public ulong LoadBias => 0x5555_0000;
        public ulong? ThreadPointer => 0x7000;
        public ulong? Register(int number) => null;
        public byte[]? RegisterBytes(int number) => null;
        public ulong ResolveAddressIndex(ulong index) => throw new InvalidDataException("no address table");

        public ThreadLocalAddress ThreadLocal(ulong offset)
        {
            Offset = offset;
            return answer.Address is { } a ? new(a + offset, null) : answer;
        }
    }

    public static TheoryData<string, byte[]> ThreadLocalForms() => new()
    {
        // DW_OP_const8u 0x10, DW_OP_GNU_push_tls_address (clang and gcc on x86-64)
        { "GNU_push_tls_address", [0x0e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0xe0] },
        // DW_OP_const1u 0x10, DW_OP_form_tls_address (DWARF 5)
        { "form_tls_address", [0x08, 0x10, 0x9b] },
    };

    [Theory]
    [MemberData(nameof(ThreadLocalForms))]
    public void ThreadLocalOperandIsAnOffsetInTheModulesBlock(string form, byte[] expression)
    {
        _ = form;
        var context = new ThreadContext(new ThreadLocalAddress(0x9000, null));
        var location = LocationEvaluator.Evaluate(expression, context, 4);
        Assert.Equal(LocationKind.Memory, location.Kind);
        Assert.Equal(0x10UL, context.Offset);
        Assert.Equal(0x9010UL, location.Address);
    }

    [Fact]
    public void ThreadLocalThatCannotBeLocatedCarriesTheReason()
    {
        var context = new ThreadContext(ThreadLocalAddress.Failed("thread-local storage of libx.so is not supported yet: why"));
        var location = LocationEvaluator.Evaluate([0x08, 0x10, 0x9b], context, 4);
        Assert.Equal(LocationKind.OptimizedOut, location.Kind);
        Assert.Equal("thread-local storage of libx.so is not supported yet: why", location.Reason);
    }
}
