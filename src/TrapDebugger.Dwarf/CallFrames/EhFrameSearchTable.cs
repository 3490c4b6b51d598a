using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>The binary search table of .eh_frame_hdr: sorted (initial location, FDE address) pairs.</summary>
/// <remarks>Only tables with fixed-size entries can be searched in place; other encodings fall back to the
/// sorted index built from .eh_frame (as libgcc's unwinder does).</remarks>
internal sealed class EhFrameSearchTable
{
    private const string Section = ".eh_frame_hdr";
    private readonly ReadOnlyMemory<byte> _data;
    private readonly ulong _address;
    private readonly PointerEncoding _encoding;
    private readonly int _tableOffset;
    private readonly int _entrySize;
    private readonly int _count;

    private EhFrameSearchTable(ReadOnlyMemory<byte> data, ulong address, PointerEncoding encoding, int tableOffset, int entrySize, int count)
    {
        _data = data;
        _address = address;
        _encoding = encoding;
        _tableOffset = tableOffset;
        _entrySize = entrySize;
        _count = count;
    }

    /// <summary>The number of entries in the table.</summary>
    public int Count => _count;

    public static EhFrameSearchTable? Parse(ReadOnlyMemory<byte> data, ulong address, int addressSize)
    {
        var r = new ByteReader(data.Span, Section);
        byte version = r.ReadU8();
        if (version != 1)
            throw new InvalidDataException($"{Section} at offset 0x0: unsupported version {version}");
        var framePointerEncoding = new PointerEncoding(r.ReadU8());
        var countEncoding = new PointerEncoding(r.ReadU8());
        var tableEncoding = new PointerEncoding(r.ReadU8());
        SkipEncoded(ref r, framePointerEncoding, addressSize);
        if (countEncoding.IsOmit || tableEncoding.IsOmit) return null;
        int countAt = r.Position;
        ulong count = ReadRaw(ref r, countEncoding, addressSize);
        int size = tableEncoding.FixedSize(addressSize);
        if (size == 0 || tableEncoding.IsIndirect) return null;
        if (count > (ulong)(r.Remaining / (2 * size)))
            throw new InvalidDataException($"{Section} at offset 0x{countAt:x}: {count} table entries exceed the {r.Remaining} bytes left");
        return new EhFrameSearchTable(data, address, tableEncoding, r.Position, 2 * size, (int)count);
    }

    /// <summary>Returns the .eh_frame offset of the FDE that may contain <paramref name="pc"/>, or null.</summary>
    public int? Find(ulong pc, ulong ehFrameAddress, int ehFrameLength)
    {
        int lo = 0, hi = _count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Value(_tableOffset + mid * _entrySize) <= pc) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0) return null;
        int fieldAt = _tableOffset + found * _entrySize + _entrySize / 2;
        ulong fde = Value(fieldAt);
        ulong offset = fde - ehFrameAddress;
        if (fde < ehFrameAddress || offset >= (ulong)ehFrameLength)
            throw new InvalidDataException($"{Section} at offset 0x{fieldAt:x}: FDE address 0x{fde:x} is outside .eh_frame");
        return (int)offset;
    }

    private ulong Value(int offset)
    {
        var r = new ByteReader(_data.Span, Section, offset);
        ulong raw = ReadRaw(ref r, _encoding, 8);
        ulong bias = _encoding.Application switch
        {
            PointerApplication.PcRelative => _address + (ulong)offset,
            PointerApplication.DataRelative => _address,
            _ => 0,
        };
        return unchecked(raw + bias);
    }

    private static void SkipEncoded(ref ByteReader r, PointerEncoding e, int addressSize)
    {
        if (!e.IsOmit) ReadRaw(ref r, e, addressSize);
    }

    private static ulong ReadRaw(ref ByteReader r, PointerEncoding e, int addressSize) => e.Format switch
    {
        PointerFormat.AbsolutePointer => r.ReadUnsigned(addressSize),
        PointerFormat.Uleb128 => r.ReadUleb128(),
        PointerFormat.Udata2 => r.ReadU16(),
        PointerFormat.Udata4 => r.ReadU32(),
        PointerFormat.Udata8 => r.ReadU64(),
        PointerFormat.Sleb128 => (ulong)r.ReadSleb128(),
        PointerFormat.Sdata2 => (ulong)(long)(short)r.ReadU16(),
        PointerFormat.Sdata4 => (ulong)(long)r.ReadI32(),
        PointerFormat.Sdata8 => (ulong)r.ReadI64(),
        _ => throw new InvalidDataException($"{Section} at offset 0x{r.Position:x}: unknown pointer encoding {e}"),
    };
}
