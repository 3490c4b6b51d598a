using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::list&lt;T&gt;</c>: a circular doubly linked list through a sentinel node held in the list object
/// (libstdc++ <c>_M_impl._M_node</c> with <c>_M_next</c> and <c>_M_size</c>; libc++ <c>__end_</c> with <c>__next_</c>
/// and <c>__size_</c>). The nodes are followed from the sentinel, and remembered for the next page.</summary>
internal sealed class CxxListView(DwarfLanguage language, DwarfType element, ulong sentinel, ulong nextOffset, ulong valueOffset, long count, IByteSource memory)
    : NodeSequenceView(language, element, valueOffset, count, memory, "list")
{

    /// <summary>The view of a list, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.TypeArgument(value.Canonical, 0) is not { } element) return null;
        // libstdc++: the sentinel is _M_node (a _List_node_header deriving from _List_node_base).
        if (Members.Find(value, "_M_node") is { Address: { } gnu } header && Members.MemberOf(header.Type, "_M_next", out var gnuNext) is { Type.Canonical: PointerType { Pointee: { } gnuBase } }
            && Members.Find(header, "_M_size") is { } gnuSize)
            return new CxxListView(value.Canonical.Language, element, gnu, gnuNext, NodeLayout.ValueOffset(gnuBase, element), (long)gnuSize.GetRawInteger(memory), memory);
        if (Members.Find(value, "__end_") is { Address: { } llvm } end && Members.MemberOf(end.Type, "__next_", out var llvmNext) is not null
            && Members.Find(value, "__size_") is { } llvmSize)
            return new CxxListView(value.Canonical.Language, element, llvm, llvmNext, NodeLayout.ValueOffset(end.Type, element), (long)llvmSize.GetRawInteger(memory), memory);
        return null;
    }

    /// <inheritdoc/>
    protected override ulong? NextNode(ulong? previous)
    {
        ulong next = NodeLayout.ReadPointer(Memory, (previous ?? sentinel) + nextOffset);
        return next == sentinel || next == 0 ? null : next;
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "front" when Count > 0 => ElementAt(0),
        "back" when Count > 0 => ElementAt(Count - 1),
        _ => base.Method(name),
    };
}
