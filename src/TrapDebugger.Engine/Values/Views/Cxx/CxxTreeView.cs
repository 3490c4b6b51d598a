using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::map</c>, <c>multimap</c>, <c>set</c>, <c>multiset</c>: a red-black tree walked in order (libstdc++: root
/// <c>_M_header._M_parent</c>, links <c>_M_left</c>/<c>_M_right</c>, size <c>_M_node_count</c>; libc++: root
/// <c>__end_node_.__left_</c>, links <c>__left_</c>/<c>__right_</c>, size <c>__size_</c>). A map's elements are its
/// <c>std::pair</c>s, shown as lldb shows them: <c>(first = 1, second = "one")</c>.</summary>
internal sealed class CxxTreeView(DwarfLanguage language, DwarfType element, ulong root, ulong left, ulong right, ulong valueOffset, long count, IByteSource memory)
    : NodeSequenceView(language, element, valueOffset, count, memory, "tree")
{
    private readonly Stack<ulong> _path = new();
    private ulong _next = root;

    /// <summary>The view of an ordered associative container, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (NodeLayout.AllocatedType(value.Canonical) is not { } element) return null;
        if (Members.Find(value, "_M_header") is { } header && Members.Find(value, "_M_node_count") is { } gnuCount
            && header.Member("_M_parent") is { } gnuRoot && Members.MemberOf(header.Type, "_M_left", out var gnuLeft) is not null
            && Members.MemberOf(header.Type, "_M_right", out var gnuRight) is not null)
            return new CxxTreeView(value.Canonical.Language, element, gnuRoot.GetRawInteger(memory), gnuLeft, gnuRight,
                NodeLayout.ValueOffset(header.Type, element), (long)gnuCount.GetRawInteger(memory), memory);
        if (Members.Find(value, "__end_node_") is { } end && end.Member("__left_") is { Canonical: PointerType { Pointee: { } nodeBase } } llvmRoot
            && Members.MemberOf(nodeBase, "__left_", out var llvmLeft) is not null && Members.MemberOf(nodeBase, "__right_", out var llvmRight) is not null
            && Members.Find(value, "__size_") is { } llvmCount)
            return new CxxTreeView(value.Canonical.Language, element, llvmRoot.GetRawInteger(memory), llvmLeft, llvmRight,
                NodeLayout.ValueOffset(nodeBase, element), (long)llvmCount.GetRawInteger(memory), memory);
        return null;
    }

    /// <inheritdoc/>
    protected override ulong? NextNode(ulong? previous)
    {
        // An in-order walk with an explicit path, continued one node at a time.
        while (_next != 0)
        {
            if (_path.Count > 2 * 64) throw new ValueException("the tree is deeper than a balanced tree of its size can be; it is corrupt");
            _path.Push(_next);
            _next = NodeLayout.ReadPointer(Memory, _next + left);
        }
        if (!_path.TryPop(out var node)) return null;
        _next = NodeLayout.ReadPointer(Memory, node + right);
        return node;
    }
}
