using TrapDebugger.Native;

namespace TrapDebugger.Engine.Process;

/// <summary>The memory of a traced process as values and the unwinder see it (breakpoint int3s masked by the native layer).</summary>
internal sealed class NativeTargetMemory(TraceeProcess process) : ITargetMemory
{
    private long _version;

    /// <inheritdoc/>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Marks every value read so far as stale (the program's registers were changed, or it ran).</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    /// <inheritdoc/>
    public int Read(ulong position, Span<byte> buffer) => process.HasEnded ? 0 : Math.Max(process.Read(position, buffer), 0);

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
