using TrapDebugger.Elf.Core;

namespace TrapDebugger.Cores;

/// <summary>The memory of a core as a target's memory: what the core holds, with the pages it left out read from the
/// files whose build-id matches; writes are refused.</summary>
internal sealed class CoreTargetMemory(CoreMemory memory, string refusal) : ITargetMemory
{
    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer) => memory.Read(address, buffer);

    /// <inheritdoc/>
    public void Write(ulong address, ReadOnlySpan<byte> data) => throw new ReadOnlyTargetException(refusal);
}
