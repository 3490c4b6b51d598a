using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::unordered_map</c>, <c>unordered_multimap</c>, <c>unordered_set</c>, <c>unordered_multiset</c>: the singly
/// linked list of all nodes (libstdc++ <c>_M_before_begin._M_nxt</c> and <c>_M_element_count</c>; libc++
/// <c>__first_node_.__next_</c> and <c>__size_</c>), in the order lldb lists them.</summary>
internal sealed class CxxHashTableView(DwarfLanguage language, DwarfType element, ulong first, ulong nextOffset, ulong valueOffset, long count, IByteSource memory)
    : NodeSequenceView(language, element, valueOffset, count, memory, "hash table")
{

    /// <summary>The view of an unordered container, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (NodeLayout.AllocatedType(value.Canonical) is not { } element) return null;
        if (Members.Find(value, "_M_before_begin") is { } before && before.Member("_M_nxt") is { } gnuFirst
            && Members.MemberOf(before.Type, "_M_nxt", out var gnuNext) is not null && Members.Find(value, "_M_element_count") is { } gnuCount)
            return new CxxHashTableView(value.Canonical.Language, element, gnuFirst.GetRawInteger(memory), gnuNext,
                NodeLayout.ValueOffset(before.Type, element), (long)gnuCount.GetRawInteger(memory), memory);
        if (Members.Find(value, "__table_") is { } table && Members.Find(table, "__first_node_") is { } firstNode
            && firstNode.Member("__next_") is { } llvmFirst && Members.MemberOf(firstNode.Type, "__next_", out var llvmNext) is not null
            && TableSize(table, memory) is { } llvmCount)
        {
            // The node type is the first node's template argument (a pointer to __hash_node); its __value_ says where the
            // element is (after the link and the cached hash).
            ulong valueOffset = Members.TypeArgument(firstNode.Canonical, 0) is { Canonical: PointerType { Pointee: { } node } }
                && Members.MemberOf(node, "__value_", out var at) is not null
                ? at
                : NodeLayout.ValueOffset(firstNode.Type, element);
            return new CxxHashTableView(value.Canonical.Language, element, llvmFirst.GetRawInteger(memory), llvmNext, valueOffset, llvmCount, memory);
        }
        return null;
    }

    // libc++'s element count is the __size_ beside the first node, not the bucket count inside __bucket_list_'s deleter.
    private static long? TableSize(DebugValue table, IByteSource memory)
    {
        if (table.Canonical is not CompositeType c) return null;
        foreach (var m in c.Members)
        {
            if (m.Name == "__bucket_list_" || m.Type is null) continue;
            var part = table.Slice(m.Type, m.ByteOffset);
            if (m.Name == "__size_") return (long)part.GetRawInteger(memory);
            if (Members.Find(part, "__size_") is { } size) return (long)size.GetRawInteger(memory);
        }
        return null;
    }

    /// <inheritdoc/>
    protected override ulong? NextNode(ulong? previous)
    {
        ulong next = previous is { } node ? NodeLayout.ReadPointer(Memory, node + nextOffset) : first;
        return next == 0 ? null : next;
    }
}
