using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Unwinding;

/// <summary>Reads the target's memory for one unwind in aligned blocks, so walking a deep stack costs one read per block
/// instead of one per saved register.</summary>
/// <remarks>A block that cannot be read whole (it crosses the end of a mapping) is not cached: those reads go to the target
/// one by one, as before. Valid only while the thread stays stopped; a stack's cache is dropped with the stack at resume.</remarks>
public sealed class StackBlockCache(IByteSource memory) : IByteSource
{
    private const int BlockSize = 64 * 1024;
    private const int MaxBlocks = 256;

    private readonly Dictionary<ulong, byte[]?> _blocks = [];

    /// <inheritdoc/>
    public int Read(ulong position, Span<byte> buffer)
    {
        var start = position & ~(ulong)(BlockSize - 1);
        var offset = (int)(position - start);
        if (offset + buffer.Length > BlockSize || Block(start) is not { } block) return memory.Read(position, buffer);
        block.AsSpan(offset, buffer.Length).CopyTo(buffer);
        return buffer.Length;
    }

    private byte[]? Block(ulong start)
    {
        lock (_blocks)
        {
            if (_blocks.TryGetValue(start, out var cached)) return cached;
            if (_blocks.Count >= MaxBlocks) _blocks.Clear();
            var block = new byte[BlockSize];
            var result = memory.Read(start, block) == BlockSize ? block : null;
            _blocks[start] = result;
            return result;
        }
    }
}
