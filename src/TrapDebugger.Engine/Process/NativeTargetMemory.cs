using TrapDebugger.Engine.Values;
using TrapDebugger.Native;

namespace TrapDebugger.Engine.Process;

/// <summary>The memory of a traced process as values and the unwinder see it (breakpoint int3s masked by the native layer).</summary>
internal sealed class NativeTargetMemory(TraceeProcess process) : ITargetMemory, Traps.IMemoryReader
{
    /// <inheritdoc/>
    public int Read(ulong position, Span<byte> buffer) => process.HasEnded ? 0 : Math.Max(process.Read(position, buffer), 0);

    /// <inheritdoc/>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (process.Write(address, data) != data.Length)
            throw new TargetMemoryException($"cannot write {data.Length} bytes at 0x{address:x}");
    }
}
