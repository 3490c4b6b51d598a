using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary><c>BTreeMap&lt;K, V&gt;</c> and <c>BTreeSet&lt;T&gt;</c>: the entries of the B-tree in key order. A leaf node
/// holds <c>len</c> keys and values in its <c>keys</c>/<c>vals</c> arrays; an internal node (the type the leaf's
/// <c>parent</c> points to) adds <c>edges</c> to its children, so entry <c>i</c> of a node comes after the subtree of edge
/// <c>i</c>. A map's children are named by their keys (<c>[1] = 'a'</c>, as gdb's Rust printer shows a map), a set's are
/// its keys.</summary>
internal sealed class RustBTreeView : SequenceView
{
    // A tree deeper than this is memory that is not a B-tree (a height of 30 already needs more entries than memory holds).
    private const int MaxHeight = 48;

    private readonly Tree _tree;
    private readonly bool _keysOnly;
    private readonly List<(ulong Node, int Slot)> _entries = [];
    private readonly Stack<(ulong Node, int Height, int Slot, bool EdgeDone)> _pending = new();
    private readonly IByteSource _memory;

    private RustBTreeView(DwarfLanguage language, long count, Tree tree, ulong root, int height, bool keysOnly, IByteSource memory)
        : base(language, count)
    {
        _tree = tree;
        _keysOnly = keysOnly;
        _memory = memory;
        if (count > 0) _pending.Push((root, height, 0, false));
    }

    /// <summary>The view of a <c>BTreeMap</c> or <c>BTreeSet</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        bool set = value.Canonical.Name?.Contains("::BTreeSet<", StringComparison.Ordinal) == true;
        var map = set ? value.Member("map") : value;
        if (map is null || map.Member("length") is not { } length || map.Member("root") is not { } root) return null;
        long count = (long)length.GetRawInteger(memory);
        var nodeRef = root;
        if (root.Canonical is CompositeType { VariantPart: not null })
        {
            var option = new VariantView(root, memory);
            if (option.VariantName != "Some") return new RustBTreeView(value.Canonical.Language, 0, default, 0, 0, set, memory);
            nodeRef = option.Field("0") ?? throw new ValueException("the B-tree's root has no node");
        }
        if (nodeRef.Member("height") is not { } height || nodeRef.Member("node") is not { } node
            || (node.Canonical is PointerType ? node : Members.FirstPointer(node)) is not { } pointer
            || (pointer.Canonical as PointerType)?.Pointee is not { } leafType || Tree.Of(leafType) is not { } tree)
            return null;
        ulong h = height.GetRawInteger(memory);
        if (h > MaxHeight) throw new ValueException($"the B-tree claims a height of {h}; it is not initialized or is corrupt");
        return new RustBTreeView(value.Canonical.Language, count, tree, pointer.GetRawInteger(memory), (int)h, set, memory);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression)
    {
        if (_keysOnly) return base.Children(start, count, expression);
        var result = new List<NamedValue>();
        var formatter = new ValueFormatter(_memory);
        for (long i = Math.Max(start, 0); i < Count && result.Count < count; i++)
        {
            var (node, slot) = Entry(i);
            var key = formatter.FormatNested(_tree.KeyAt(node, slot), ValueFormat.Natural, 1);
            result.Add(new NamedValue($"[{key}]", _tree.ValueAt(node, slot), expression is null ? null : $"{expression}[{i}]"));
        }
        return result;
    }

    /// <inheritdoc/>
    protected override DebugValue ElementAt(long index)
    {
        var (node, slot) = Entry(index);
        return _keysOnly ? _tree.KeyAt(node, slot) : _tree.ValueAt(node, slot);
    }

    // The in-order walk, continued only as far as the entries asked for, and remembered for the next page. A pending
    // step (node, height, k, edgeDone) means: walk the subtree of edge k (internal nodes, unless done), then take entry
    // k, then go on with k + 1; a node is finished after its last edge.
    private (ulong Node, int Slot) Entry(long index)
    {
        while (_entries.Count <= index)
        {
            if (!_pending.TryPop(out var step))
                throw new ValueException($"the B-tree ends after {_entries.Count} of its {Count} entries; it is corrupt");
            var (node, height, slot, edgeDone) = step;
            if (height > 0 && !edgeDone)
            {
                if (_pending.Count > MaxHeight * 2) throw new ValueException("the B-tree is deeper than its height says; it is corrupt");
                _pending.Push((node, height, slot, true));
                _pending.Push((_tree.Edge(node, slot, _memory), height - 1, 0, false));
                continue;
            }
            if (slot >= _tree.Length(node, _memory)) continue;
            _entries.Add((node, slot));
            _pending.Push((node, height, slot + 1, false));
        }
        return _entries[(int)index];
    }

    /// <summary>Where a B-tree's nodes keep their parts, from the DWARF of its leaf and internal node types.</summary>
    private readonly record struct Tree(DwarfType KeyType, DwarfType ValueType, ulong KeysOffset, ulong ValsOffset, ulong KeySize, ulong ValSize,
        ulong LenOffset, DwarfType LenType, ulong EdgesOffset, ulong EdgeSize)
    {
        public static Tree? Of(DwarfType leafType)
        {
            if (leafType.Canonical is not CompositeType leaf
                || Members.MemberOf(leaf, "keys", out var keysAt) is not { Type.Canonical: ArrayType keys }
                || Members.MemberOf(leaf, "vals", out var valsAt) is not { Type.Canonical: ArrayType vals }
                || Members.MemberOf(leaf, "len", out var lenAt) is not { Type: { } lenType }
                || Payload(keys.Element) is not { } key || Payload(vals.Element) is not { } value)
                return null;
            // The internal node type is the one a leaf's parent link points to.
            ulong edgesAt = 0, edgeSize = 0;
            if (Members.MemberOf(leaf, "parent", out _) is { Type: { } parentType } && PointeeNamed(parentType, "alloc::collections::btree::node::InternalNode<", 0) is CompositeType internalNode
                && Members.MemberOf(internalNode, "edges", out var at) is { Type.Canonical: ArrayType edges })
            {
                edgesAt = at;
                edgeSize = edges.Element?.Canonical.ByteSize ?? 0;
            }
            return new Tree(key, value, keysAt, valsAt, keys.Element!.Canonical.ByteSize, vals.Element!.Canonical.ByteSize, lenAt, lenType, edgesAt, edgeSize);
        }

        public DebugValue KeyAt(ulong node, int slot) => DebugValue.InMemory(KeyType, node + KeysOffset + (ulong)slot * KeySize);

        public DebugValue ValueAt(ulong node, int slot) => DebugValue.InMemory(ValueType, node + ValsOffset + (ulong)slot * ValSize);

        public int Length(ulong node, IByteSource memory) => (int)DebugValue.InMemory(LenType, node + LenOffset).GetRawInteger(memory);

        public ulong Edge(ulong node, int index, IByteSource memory)
        {
            if (EdgeSize < 8) throw new ValueException("the B-tree's internal node type is not described; its deeper entries cannot be listed");
            Span<byte> pointer = stackalloc byte[8];
            if (memory.Read(node + EdgesOffset + (ulong)index * EdgeSize, pointer) < 8)
                throw new ValueException($"cannot read a B-tree edge of node 0x{node:x}");
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(pointer);
        }

        // A slot is a MaybeUninit<T>: a union holding T at offset 0 (through ManuallyDrop and, since Rust 1.9x,
        // MaybeDangling); T is its template argument.
        private static DwarfType? Payload(DwarfType? slot) =>
            slot?.Canonical is CompositeType { Name: { } name } c && name.StartsWith("core::mem::maybe_uninit::MaybeUninit<", StringComparison.Ordinal)
                ? Members.TypeArgument(c, 0)
                : slot;

        // The pointee named <prefix> of a pointer inside <type> (through Option's variants and NonNull), searched by type.
        private static DwarfType? PointeeNamed(DwarfType type, string prefix, int depth)
        {
            if (depth > 8) return null;
            switch (type.Canonical)
            {
                case PointerType { Pointee: { } pointee } when pointee.Canonical.Name?.StartsWith(prefix, StringComparison.Ordinal) == true:
                    return pointee.Canonical;
                case CompositeType c:
                    foreach (var m in c.Members)
                        if (m.Type is { } mt && PointeeNamed(mt, prefix, depth + 1) is { } found) return found;
                    if (c.VariantPart is { } part)
                        foreach (var v in part.Variants)
                            foreach (var m in v.Members)
                                if (m.Type is { } vt && PointeeNamed(vt, prefix, depth + 1) is { } found) return found;
                    return null;
                default:
                    return null;
            }
        }
    }
}
