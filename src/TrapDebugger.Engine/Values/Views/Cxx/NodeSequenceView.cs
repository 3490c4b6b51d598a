using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary>A node-based container (list, tree, hash table) shown as its elements: the nodes are found one after the
/// other only as far as a page asks, and remembered for the next page.</summary>
internal abstract class NodeSequenceView(DwarfLanguage language, DwarfType element, ulong valueOffset, long count, IByteSource memory, string noun)
    : SequenceView(language, count)
{
    private readonly List<ulong> _nodes = [];

    /// <summary>The memory the nodes are read from.</summary>
    protected IByteSource Memory { get; } = memory;

    /// <summary>The address of the node after <paramref name="previous"/> (null: the first), or null when the links end.</summary>
    protected abstract ulong? NextNode(ulong? previous);

    /// <inheritdoc/>
    protected sealed override DebugValue ElementAt(long index)
    {
        while (_nodes.Count <= index)
        {
            var next = NextNode(_nodes.Count == 0 ? null : _nodes[^1])
                ?? throw new ValueException($"the {noun} ends after {_nodes.Count} of its {Count} nodes; it is corrupt");
            _nodes.Add(next);
        }
        return DebugValue.InMemory(element, _nodes[(int)index] + valueOffset);
    }
}
