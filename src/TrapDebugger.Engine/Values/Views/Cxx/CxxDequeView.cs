using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::deque&lt;T&gt;</c>: elements kept in fixed-size blocks listed in a map of block pointers.</summary>
/// <remarks>libstdc++ keeps iterators to the first and one-past-last element (<c>_M_cur</c>, <c>_M_first</c>,
/// <c>_M_last</c>, <c>_M_node</c>), and a block holds <c>_M_last - _M_first</c> elements. libc++ keeps the map
/// (<c>__map_.__begin_</c>), the index of the first element (<c>__start_</c>) and the size; its block size is not in
/// the object, so it is libc++'s rule (<c>__deque_block_size</c>: 4096 bytes of elements, at least 16 elements), which
/// is what lldb's formatter uses too.</remarks>
internal sealed class CxxDequeView(DwarfLanguage language, DwarfType element, ulong map, ulong start, ulong blockSize, long count, IByteSource memory)
    : SequenceView(language, count)
{
    /// <summary>The view of a deque, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.TypeArgument(value.Canonical, 0) is not { } element) return null;
        ulong size = element.Canonical.ByteSize;
        if (size == 0) return null;
        if (Members.Find(value, "_M_start") is { } startIterator && Members.Find(value, "_M_finish") is { } finishIterator)
        {
            var (cur, first, last, node) = Iterator(startIterator, memory);
            var (endCur, endFirst, _, endNode) = Iterator(finishIterator, memory);
            if (last <= first || (last - first) % size != 0 || endNode < node)
                throw new ValueException("the deque's iterators are inconsistent; it is not initialized or is corrupt");
            ulong block = (last - first) / size;
            long count = (long)(((endNode - node) / 8) * block + (endCur - endFirst) / size) - (long)((cur - first) / size);
            return new CxxDequeView(value.Canonical.Language, element, node, (cur - first) / size, block, count, memory);
        }
        if (Members.Find(value, "__map_") is { } mapBuffer && Members.Find(mapBuffer, "__begin_", Members.IsPointer) is { } begin
            && value.Member("__start_") is { } start && Size(value, memory) is { } libcxxCount)
        {
            ulong block = size < 256 ? 4096 / size : 16;
            return new CxxDequeView(value.Canonical.Language, element, begin.GetRawInteger(memory), start.GetRawInteger(memory), block, libcxxCount, memory);
        }
        return null;
    }

    // libc++'s size sits in a compressed pair beside the allocator, apart from the map's own members.
    private static long? Size(DebugValue deque, IByteSource memory)
    {
        if (deque.Canonical is not CompositeType c) return null;
        foreach (var m in c.Members)
        {
            if (m.Name == "__map_" || m.Type is null) continue;
            var part = deque.Slice(m.Type, m.ByteOffset);
            if (m.Name == "__size_") return (long)part.GetRawInteger(memory);
            if (Members.Find(part, "__size_") is { } size) return (long)size.GetRawInteger(memory);
        }
        return null;
    }

    private static (ulong Cur, ulong First, ulong Last, ulong Node) Iterator(DebugValue iterator, IByteSource memory) =>
        (Read(iterator, "_M_cur", memory), Read(iterator, "_M_first", memory), Read(iterator, "_M_last", memory), Read(iterator, "_M_node", memory));

    private static ulong Read(DebugValue iterator, string name, IByteSource memory) =>
        (iterator.Member(name) ?? throw new ValueException($"the deque iterator has no {name}")).GetRawInteger(memory);

    /// <inheritdoc/>
    protected override DebugValue ElementAt(long index)
    {
        ulong position = start + (ulong)index;
        ulong slot = map + position / blockSize * 8;
        Span<byte> pointer = stackalloc byte[8];
        if (memory.Read(slot, pointer) < 8) throw new ValueException($"cannot read the deque's block pointer at 0x{slot:x}");
        ulong blockAddress = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(pointer);
        return DebugValue.InMemory(element, blockAddress + position % blockSize * element.Canonical.ByteSize);
    }
}
