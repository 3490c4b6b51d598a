using System.Buffers.Binary;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values;

/// <summary>A typed value of the debuggee: a type, a home, and (lazily) its bytes.</summary>
/// <remarks>Values in memory are read only when something looks at them, so expanding a large struct or a long
/// array reads just the part on screen.</remarks>
public sealed class DebugValue
{
    /// <summary>The largest value read in one piece; larger aggregates are shown through their children.</summary>
    public const int MaxMaterializedSize = 1 << 20;

    private byte[]? _bytes;

    // The memory version the bytes of a value in memory were read at; a later write makes them stale.
    private long _bytesVersion;

    /// <summary>The most bytes <see cref="Prefetch"/> reads at once: a library object's header, not its elements.</summary>
    public const int PrefetchLimit = 4096;

    /// <summary>Reads a small value in memory in one piece, so its members are then taken from those bytes instead of
    /// one read each; does nothing for large or unreadable values (their members are read when looked at).</summary>
    public DebugValue Prefetch(IByteSource memory)
    {
        if (Location.Kind != ValueLocationKind.Memory || BitSize is not null || Canonical.ByteSize is 0 or > PrefetchLimit) return this;
        try
        {
            GetBytes(memory);
        }
        catch (ValueException)
        {
        }
        return this;
    }

    private DebugValue(DwarfType type, ValueLocation location, byte[]? bytes, string? error)
    {
        Type = type;
        Location = location;
        _bytes = bytes;
        Error = error;
    }

    /// <summary>The declared type (typedefs and qualifiers kept, for display).</summary>
    public DwarfType Type { get; }

    /// <summary>Where the value lives.</summary>
    public ValueLocation Location { get; }

    /// <summary>Why the value is unavailable, when it is.</summary>
    public string? Error { get; }

    /// <summary>For a bit-field member: its width in bits.</summary>
    public int? BitSize { get; private init; }

    /// <summary>For a bit-field member: the offset of its lowest bit within the bytes.</summary>
    public int BitOffset { get; private init; }

    /// <summary>The type without typedefs and qualifiers.</summary>
    public DwarfType Canonical => Type.Canonical;

    /// <summary>True when the compiler did not keep this value.</summary>
    public bool IsOptimizedOut => Location.Kind == ValueLocationKind.OptimizedOut;

    /// <summary>True when the value's bytes can be obtained.</summary>
    public bool IsAvailable => Location.Kind is ValueLocationKind.Memory or ValueLocationKind.Register or ValueLocationKind.Computed;

    /// <summary>The address of the value, when it lives in memory.</summary>
    public ulong? Address => Location.Kind == ValueLocationKind.Memory ? Location.Address : null;

    /// <summary>A value stored in target memory at <paramref name="address"/>.</summary>
    public static DebugValue InMemory(DwarfType type, ulong address) => new(type, ValueLocation.InMemory(address), null, null);

    /// <summary>A value whose bytes are known (a register's contents or a computed result).</summary>
    public static DebugValue FromBytes(DwarfType type, byte[] bytes, ValueLocation? location = null) =>
        new(type, location ?? ValueLocation.Computed, bytes, null);

    /// <summary>A computed integer of the given type.</summary>
    public static DebugValue FromInteger(DwarfType type, long value)
    {
        var size = (int)Math.Clamp(type.Canonical.ByteSize, 1, 8);
        var bytes = new byte[size];
        Span<byte> all = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(all, value);
        all[..size].CopyTo(bytes);
        return new(type, ValueLocation.Computed, bytes, null);
    }

    /// <summary>A computed floating-point value of the given type (float or double).</summary>
    public static DebugValue FromDouble(DwarfType type, double value)
    {
        byte[] bytes;
        if (type.Canonical.ByteSize == 4)
        {
            bytes = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)value);
        }
        else
        {
            bytes = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        }
        return new(type, ValueLocation.Computed, bytes, null);
    }

    /// <summary>A value the compiler did not keep at this pc.</summary>
    public static DebugValue OptimizedOut(DwarfType type) => new(type, ValueLocation.OptimizedOut, null, "optimized out");

    /// <summary>A value that cannot be read, with the reason.</summary>
    public static DebugValue Unavailable(DwarfType type, string reason) => new(type, ValueLocation.Unavailable, null, reason);

    /// <summary>The same home seen through another type (casts of lvalues, reinterpretation).</summary>
    public DebugValue WithType(DwarfType type) => new(type, Location, _bytes is null ? null : Resize(_bytes, type.Canonical.ByteSize), Error);

    /// <summary>Returns the bytes of the value, reading target memory on first use.</summary>
    /// <exception cref="ValueException">The value is optimized out, unavailable, too large, or its memory is unreadable.</exception>
    public ReadOnlySpan<byte> GetBytes(IByteSource memory)
    {
        long version = memory is ITargetMemory target ? target.Version : 0;
        if (_bytes is not null && (Location.Kind != ValueLocationKind.Memory || _bytesVersion == version)) return _bytes;
        if (Location.Kind != ValueLocationKind.Memory)
            throw new ValueException(Error ?? "value is unavailable");
        var size = StorageSize ?? Canonical.ByteSize;
        if (size > MaxMaterializedSize)
            throw new ValueException($"value of {size} bytes exceeds the {MaxMaterializedSize}-byte limit for one read");
        var buffer = new byte[size];
        int n = memory.Read(Location.Address, buffer);
        if (n < buffer.Length)
            throw new ValueException($"cannot read memory at 0x{Location.Address + (ulong)Math.Max(n, 0):x}");
        _bytes = buffer;
        _bytesVersion = version;
        return buffer;
    }

    /// <summary>Reads the value as a 64-bit integer (sign- or zero-extended from its type, bit fields extracted).</summary>
    public ulong GetRawInteger(IByteSource memory)
    {
        var bytes = GetBytes(memory);
        Span<byte> buf = stackalloc byte[8];
        buf.Clear();
        bytes[..Math.Min(bytes.Length, 8)].CopyTo(buf);
        ulong raw = BinaryPrimitives.ReadUInt64LittleEndian(buf);
        bool signed = IsSignedInteger(Canonical);
        if (BitSize is { } bits)
        {
            raw >>= BitOffset;
            if (bits < 64)
            {
                raw &= (1UL << bits) - 1;
                if (signed && (raw >> (bits - 1) & 1) != 0) raw |= ulong.MaxValue << bits;
            }
            return raw;
        }
        int width = (int)Math.Min(bytes.Length, 8) * 8;
        if (width is > 0 and < 64 && signed && (raw >> (width - 1) & 1) != 0)
            raw |= ulong.MaxValue << width;
        return raw;
    }

    /// <summary>Reads a floating-point value (float, double or x87 long double).</summary>
    public double GetDouble(IByteSource memory)
    {
        var bytes = GetBytes(memory);
        return bytes.Length switch
        {
            4 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
            8 => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
            >= 10 => X87ToDouble(bytes),
            _ => throw new ValueException($"floating-point value of {bytes.Length} bytes is not supported"),
        };
    }

    /// <summary>A member of a struct, class or union value (searching base classes and anonymous members).</summary>
    public DebugValue? Member(string name)
    {
        if (Canonical is not CompositeType composite || !composite.TryFindMember(name, out var member, out var offset))
            return null;
        return Slice(member.Type ?? UnspecifiedType.Void, offset, member.BitSize, member.BitOffset);
    }

    /// <summary>A member of a struct or class value, also found through virtual base classes, whose place is read from
    /// the object's vtable in <paramref name="memory"/>.</summary>
    public DebugValue? Member(string name, IByteSource memory) => FindMember(name, memory, 0);

    private DebugValue? FindMember(string name, IByteSource memory, int depth)
    {
        if (Member(name) is { } direct) return direct;
        if (depth > MaxBaseDepth || Canonical is not CompositeType composite) return null;
        // Only a path through a virtual base can still lead to the member: search every base, virtual ones placed at run time.
        foreach (var b in composite.Bases)
        {
            if (b.Type is null) continue;
            var sub = BaseSubobject(b, memory);
            if (sub.IsAvailable && sub.FindMember(name, memory, depth + 1) is { } found) return found;
        }
        return null;
    }

    // Class hierarchies deeper than this are malformed (a cycle through broken type references).
    private const int MaxBaseDepth = 64;

    /// <summary>The base-class subobject <paramref name="baseClass"/> of this object: at its constant offset, or for a virtual
    /// base where DW_AT_data_member_location says, evaluated with this object's address on the stack against <paramref name="memory"/>.</summary>
    public DebugValue BaseSubobject(BaseClass baseClass, IByteSource memory)
    {
        var type = baseClass.Type ?? UnspecifiedType.Void;
        if (!baseClass.IsVirtual) return Slice(type, baseClass.ByteOffset);
        if (!IsAvailable) return IsOptimizedOut ? OptimizedOut(type) : Unavailable(type, Error ?? "value is unavailable");
        if (baseClass.OffsetExpression.IsEmpty) return Unavailable(type, "the virtual base has no location");
        // The offset of a virtual base lives in the vtable, which is found through the object's own memory.
        if (Address is not { } address) return Unavailable(type, "a virtual base is only known for an object in memory");
        var location = Variables.LocationEvaluator.Evaluate(baseClass.OffsetExpression.Span, new ObjectInMemory(memory), 8, [address]);
        return location.Kind == Variables.LocationKind.Memory
            ? InMemory(type, location.Address)
            : Unavailable(type, location.Reason is { } reason ? $"virtual base: {reason}" : "the virtual base cannot be located");
    }

    // A member location expression sees only memory: no registers, frame or module.
    private sealed class ObjectInMemory(IByteSource memory) : Variables.ILocationContext
    {
        public IByteSource Memory => memory;
        public ulong? FrameBase => null;
        public ulong? Cfa => null;
        public ulong LoadBias => 0;
        public ulong? ThreadPointer => null;
        public ulong? Register(int number) => null;
        public byte[]? RegisterBytes(int number) => null;
        public ulong ResolveAddressIndex(ulong index) => throw new InvalidDataException("DW_OP_addrx in a member location");
    }

    /// <summary>The part of this value of type <paramref name="type"/> starting <paramref name="offset"/> bytes in.</summary>
    public DebugValue Slice(DwarfType type, ulong offset, int? bitSize = null, int bitOffset = 0)
    {
        ulong size = bitSize is { } b ? (ulong)((bitOffset + b + 7) / 8) : type.Canonical.ByteSize;
        switch (Location.Kind)
        {
            case ValueLocationKind.Memory:
                {
                    // A part of bytes already read is taken from them (same memory version), not read again.
                    byte[]? part = _bytes is not null && offset + size <= (ulong)_bytes.Length && size <= MaxMaterializedSize
                        ? _bytes.AsSpan((int)offset, (int)size).ToArray() : null;
                    if (bitSize is null) return new DebugValue(type, ValueLocation.InMemory(Location.Address + offset), part, null) { _bytesVersion = _bytesVersion };
                    return new DebugValue(type, ValueLocation.InMemory(Location.Address + offset), part, null)
                    {
                        BitSize = bitSize,
                        BitOffset = bitOffset,
                        StorageSize = size,
                        _bytesVersion = _bytesVersion,
                    };
                }
            case ValueLocationKind.Register:
            case ValueLocationKind.Computed:
                {
                    var bytes = _bytes ?? [];
                    if (offset + size > (ulong)bytes.Length)
                        return Unavailable(type, "member lies outside the value's bytes");
                    var part = bytes.AsSpan((int)offset, (int)size).ToArray();
                    return new DebugValue(type, ValueLocation.Computed, part, null) { BitSize = bitSize, BitOffset = bitOffset };
                }
            case ValueLocationKind.OptimizedOut:
                return OptimizedOut(type);
            default:
                return Unavailable(type, Error ?? "value is unavailable");
        }
    }

    // A bit field is read through its storage bytes, not through its declared type's size.
    private ulong? StorageSize { get; init; }

    // The library view built for this value (a vector's element list, a hash map's occupied buckets), kept with the
    // memory version it was read at so paging through a large container reads its structure once per stop.
    private object? _view;
    private long _viewVersion = -1;

    /// <summary>Returns the view cached for memory version <paramref name="version"/>, or builds and caches it.</summary>
    internal T? CachedView<T>(long version, Func<T?> build) where T : class
    {
        if (_viewVersion == version && _view is ViewSlot slot) return slot.View as T;
        var view = build();
        _view = new ViewSlot(view);
        _viewVersion = version;
        return view;
    }

    // Boxes "no view" so a value known to have none is not classified again.
    private sealed record ViewSlot(object? View);

    /// <summary>True for integer-like canonical types (integers, chars, bool, enums, pointers).</summary>
    public static bool IsIntegral(DwarfType t) => t switch
    {
        BaseType b => !b.IsFloat && b.Encoding != BaseTypeEncoding.ComplexFloat,
        EnumerationType or PointerType => true,
        _ => false,
    };

    private static bool IsSignedInteger(DwarfType t) => t switch
    {
        BaseType b => b.IsSigned,
        EnumerationType e => e.IsSigned,
        _ => false,
    };

    private static byte[] Resize(byte[] bytes, ulong size)
    {
        if ((ulong)bytes.Length == size || size == 0 || size > MaxMaterializedSize) return bytes;
        var r = new byte[size];
        bytes.AsSpan(0, (int)Math.Min((ulong)bytes.Length, size)).CopyTo(r);
        return r;
    }

    private static double X87ToDouble(ReadOnlySpan<byte> b)
    {
        ulong mantissa = BinaryPrimitives.ReadUInt64LittleEndian(b);
        int se = BinaryPrimitives.ReadUInt16LittleEndian(b[8..]);
        bool negative = (se & 0x8000) != 0;
        int exponent = se & 0x7fff;
        double result;
        if (exponent == 0 && mantissa == 0) result = 0;
        else if (exponent == 0x7fff) result = (mantissa << 1) == 0 ? double.PositiveInfinity : double.NaN;
        else result = mantissa / Math.Pow(2, 63) * Math.Pow(2, exponent - 16383);
        return negative ? -result : result;
    }
}

/// <summary>A value could not be produced or read; the message is one sentence for the user.</summary>
public sealed class ValueException(string message) : Exception(message);
