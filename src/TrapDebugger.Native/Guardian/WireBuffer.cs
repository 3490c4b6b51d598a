using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace TrapDebugger.Native.Guardian;

/// <summary>Builds one message of the guardian protocol: little-endian integers, length-prefixed UTF-8 strings and byte
/// blocks, after a 4-byte length that <see cref="Frame"/> fills in.</summary>
internal sealed class WireWriter
{
    private byte[] buffer = new byte[256];
    private int length = 4;

    /// <summary>The message with its length prefix, ready to send.</summary>
    public ReadOnlySpan<byte> Frame
    {
        get
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, length - 4);
            return buffer.AsSpan(0, length);
        }
    }

    public WireWriter U8(int value)
    {
        Grow(1)[0] = (byte)value;
        return this;
    }

    public WireWriter Bool(bool value) => U8(value ? 1 : 0);

    public WireWriter I32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value);
        return this;
    }

    public WireWriter U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);
        return this;
    }

    public WireWriter Bytes(ReadOnlySpan<byte> data)
    {
        I32(data.Length);
        data.CopyTo(Grow(data.Length));
        return this;
    }

    /// <summary>A string, or null (length -1).</summary>
    public WireWriter Text(string? value)
    {
        if (value is null) return I32(-1);
        var count = Encoding.UTF8.GetByteCount(value);
        I32(count);
        Encoding.UTF8.GetBytes(value, Grow(count));
        return this;
    }

    /// <summary>A struct in its in-memory layout (the kernel's register blocks).</summary>
    public WireWriter Block<T>(in T value) where T : unmanaged
    {
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).CopyTo(Grow(Marshal.SizeOf<T>()));
        return this;
    }

    private Span<byte> Grow(int count)
    {
        if (length + count > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + count));
        var span = buffer.AsSpan(length, count);
        length += count;
        return span;
    }
}

/// <summary>Reads the fields of one received message in the order <see cref="WireWriter"/> wrote them; a message that
/// ends early or holds an impossible length is an <see cref="InvalidDataException"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> body = body;
    private int position;

    /// <summary>How many bytes are left to read.</summary>
    public readonly int Remaining => body.Length - position;

    public int U8() => Take(1)[0];

    public bool Bool() => U8() != 0;

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public byte[] Bytes()
    {
        var count = I32();
        if (count < 0) throw new InvalidDataException($"a guardian message holds a block of {count} bytes");
        return Take(count).ToArray();
    }

    public string? Text()
    {
        var count = I32();
        if (count == -1) return null;
        if (count < 0) throw new InvalidDataException($"a guardian message holds a string of {count} bytes");
        return Encoding.UTF8.GetString(Take(count));
    }

    public string RequiredText() => Text() ?? throw new InvalidDataException("a guardian message lacks a required string");

    public T Block<T>() where T : unmanaged => MemoryMarshal.Read<T>(Take(Marshal.SizeOf<T>()));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > body.Length - position)
            throw new InvalidDataException($"a guardian message ends after {body.Length} bytes, inside a field");
        var span = body.Slice(position, count);
        position += count;
        return span;
    }
}
