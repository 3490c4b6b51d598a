using System.Buffers.Binary;

namespace TrapDebugger.Traps;

/// <summary>Reads of little-endian words from a process image.</summary>
internal static class MemoryReads
{
    /// <summary>The 64-bit word at <paramref name="address"/>, or null when it cannot be read whole.</summary>
    public static ulong? ReadWord(this IByteSource memory, ulong address)
    {
        Span<byte> word = stackalloc byte[8];
        return memory.Read(address, word) == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(word) : null;
    }
}
