namespace TrapDebugger.Targets;

/// <summary>Reads and writes the memory of a target: what values are made of.</summary>
public interface ITargetMemory : IByteSource
{
    /// <summary>Writes <paramref name="data"/> at <paramref name="address"/>; throws <see cref="TargetMemoryException"/> when
    /// the range is not writable, or <see cref="ReadOnlyTargetException"/> when the target cannot be written at all.</summary>
    void Write(ulong address, ReadOnlySpan<byte> data);

    /// <summary>A number that changes whenever the target's memory or registers are changed through this view, so bytes read earlier can tell they are stale.</summary>
    long Version => 0;
}

/// <summary>A read or write of target memory failed (unmapped address, protection, process gone).</summary>
public sealed class TargetMemoryException(string message) : TargetException(message);

/// <summary>Target memory backed by a byte array at a base address (core images, tests, snapshots).</summary>
public sealed class ArrayTargetMemory(ulong baseAddress, byte[] bytes) : ITargetMemory
{
    private long _version;

    /// <inheritdoc/>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The address of the first byte.</summary>
    public ulong BaseAddress => baseAddress;

    /// <inheritdoc/>
    public int Read(ulong position, Span<byte> buffer)
    {
        if (position < baseAddress || position - baseAddress >= (ulong)bytes.Length) return 0;
        int offset = (int)(position - baseAddress);
        int n = Math.Min(buffer.Length, bytes.Length - offset);
        bytes.AsSpan(offset, n).CopyTo(buffer);
        return n;
    }

    /// <inheritdoc/>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (address < baseAddress || address - baseAddress + (ulong)data.Length > (ulong)bytes.Length)
            throw new TargetMemoryException($"cannot write {data.Length} bytes at 0x{address:x}: outside the mapped range");
        data.CopyTo(bytes.AsSpan((int)(address - baseAddress)));
        Interlocked.Increment(ref _version);
    }
}
