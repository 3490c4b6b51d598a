namespace TrapDebugger.Elf;

/// <summary>An <see cref="IByteSource"/> over bytes already in memory (tests, decompressed data, small images).</summary>
public sealed class ByteArraySource(byte[] bytes) : IByteSource
{
    /// <summary>The bytes this source serves.</summary>
    public byte[] Bytes { get; } = bytes;

    /// <inheritdoc />
    public int Read(ulong position, Span<byte> buffer)
    {
        if (position >= (ulong)Bytes.Length)
            return 0;
        int count = (int)Math.Min((ulong)buffer.Length, (ulong)Bytes.Length - position);
        Bytes.AsSpan((int)position, count).CopyTo(buffer);
        return count;
    }
}
