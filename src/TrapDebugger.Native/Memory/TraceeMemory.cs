namespace TrapDebugger.Native.Memory;

/// <summary>The memory of a traced process as the readers above see it: breakpoint int3s masked, nothing once the process
/// has ended, and a version that changes with every write to its memory or registers.</summary>
internal sealed class TraceeMemory(TraceeProcess process) : ITargetMemory
{
    private long _version;

    /// <inheritdoc/>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Marks every value read so far as stale (the program's memory or registers were changed).</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer) => process.HasEnded ? 0 : Math.Max(process.Read(address, buffer), 0);

    /// <inheritdoc/>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        try
        {
            if (process.Write(address, data) != data.Length)
                throw new TargetMemoryException($"cannot write {data.Length} bytes at 0x{address:x}");
        }
        finally
        {
            // Even a failed write may have changed some bytes.
            Invalidate();
        }
    }
}
