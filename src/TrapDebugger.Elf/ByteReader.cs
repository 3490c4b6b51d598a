using System.Buffers.Binary;
using System.Text;

namespace TrapDebugger.Elf;

/// <summary>A bounds-checked little-endian cursor over a span, with the LEB128 and string forms ELF and DWARF use.</summary>
/// <remarks>Every read past the end throws <see cref="InvalidDataException"/> naming the offset, so a truncated
/// section becomes a typed error instead of an <see cref="IndexOutOfRangeException"/>.</remarks>
public ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>; <paramref name="origin"/> names the source in error messages.</summary>
    public ByteReader(ReadOnlySpan<byte> data, string origin = "data", int position = 0)
    {
        _data = data;
        Origin = origin;
        _position = position;
    }

    /// <summary>What the bytes are (for example a section name), used in error messages.</summary>
    public string Origin { get; }

    /// <summary>The offset of the next byte to read.</summary>
    public int Position
    {
        readonly get => _position;
        set
        {
            if ((uint)value > (uint)_data.Length)
                throw Error(value, $"seek to offset 0x{value:x} is outside the {_data.Length} bytes");
            _position = value;
        }
    }

    /// <summary>The number of bytes after <see cref="Position"/>.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>The whole span the reader walks.</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _position >= _data.Length;

    public byte ReadU8() => Take(1)[0];
    public sbyte ReadI8() => (sbyte)Take(1)[0];
    public ushort ReadU16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public int ReadI32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public long ReadI64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads a 3-byte little-endian value (DW_FORM_strx3, addrx3).</summary>
    public uint ReadU24()
    {
        var b = Take(3);
        return (uint)(b[0] | b[1] << 8 | b[2] << 16);
    }

    /// <summary>Reads an unsigned value of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    public ulong ReadUnsigned(int size) => size switch
    {
        1 => ReadU8(),
        2 => ReadU16(),
        3 => ReadU24(),
        4 => ReadU32(),
        8 => ReadU64(),
        _ => throw Error(_position, $"unsupported integer size {size}"),
    };

    /// <summary>Reads an unsigned LEB128 value; more than 64 significant bits is an error.</summary>
    public ulong ReadUleb128()
    {
        // Most values (abbreviation codes, indexes, sizes) fit in one byte.
        if ((uint)_position < (uint)_data.Length && _data[_position] < 0x80)
            return _data[_position++];
        ulong result = 0;
        int shift = 0;
        int start = _position, at = _position;
        while (true)
        {
            if ((uint)at >= (uint)_data.Length)
                throw Error(at, $"read of 1 bytes runs past the end (0 left)");
            byte b = _data[at++];
            if (shift < 64)
                result |= (ulong)(b & 0x7f) << shift;
            else if ((b & 0x7f) != 0)
                throw Error(start, "ULEB128 value exceeds 64 bits");
            if ((b & 0x80) == 0)
            {
                _position = at;
                return result;
            }
            shift += 7;
        }
    }

    /// <summary>Reads a signed LEB128 value.</summary>
    public long ReadSleb128()
    {
        long result = 0;
        int shift = 0;
        byte b;
        do
        {
            b = ReadU8();
            if (shift < 64)
                result |= (long)(b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0)
            result |= -1L << shift;
        return result;
    }

    /// <summary>Reads a NUL-terminated UTF-8 string and moves past the terminator.</summary>
    public string ReadCString()
    {
        var rest = _data[_position..];
        int length = rest.IndexOf((byte)0);
        if (length < 0)
            throw Error(_position, "string is not NUL-terminated");
        _position += length + 1;
        return Encoding.UTF8.GetString(rest[..length]);
    }

    /// <summary>Returns the next <paramref name="count"/> bytes and moves past them.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>Moves forward by <paramref name="count"/> bytes.</summary>
    public void Skip(long count)
    {
        if (count < 0 || count > Remaining)
            throw Error(_position, $"skip of {count} bytes runs past the end ({Remaining} left)");
        _position += (int)count;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _data.Length - _position)
            throw Error(_position, $"read of {count} bytes runs past the end ({_data.Length - _position} left)");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    private readonly InvalidDataException Error(int offset, string what) =>
        new($"{Origin} at offset 0x{offset:x}: {what}");
}
