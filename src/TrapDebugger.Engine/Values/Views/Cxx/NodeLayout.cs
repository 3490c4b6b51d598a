using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary>Where a node-based container's nodes keep their links and their element.</summary>
/// <remarks>A node is the library's link struct (<c>_Rb_tree_node_base</c>, <c>__list_node_base</c>, …) followed by the
/// element, placed by the ordinary C++ layout rule (the link struct's size rounded up to the element's alignment) unless
/// the node type itself is described, in which case its element member says where.</remarks>
internal static class NodeLayout
{
    /// <summary>The offset of the element in a node whose link part is <paramref name="linkType"/>.</summary>
    public static ulong ValueOffset(DwarfType linkType, DwarfType element) =>
        TypeLayout.AlignUp(DataSize(linkType.Canonical, 0), element.NaturalAlignment);

    // The Itanium C++ ABI places a derived class's members in the tail padding of a base that is not a POD (libc++'s
    // __tree_node_base, which derives from __tree_end_node, ends with a bool: a node's int pair starts at 28, not 32).
    // A class with bases is not a POD; one without is laid out whole.
    private static ulong DataSize(DwarfType type, int depth)
    {
        if (type is not CompositeType { Bases.Count: > 0 } c || depth > 8) return type.ByteSize;
        ulong end = 0;
        foreach (var m in c.Members)
            end = Math.Max(end, m.ByteOffset + (m.BitSize is { } bits ? (ulong)((m.BitOffset + bits + 7) / 8) : m.Type?.Canonical.ByteSize ?? 0));
        foreach (var b in c.Bases)
            if (!b.IsVirtual && b.Type is { } bt) end = Math.Max(end, b.ByteOffset + DataSize(bt.Canonical, depth + 1));
        return end;
    }

    /// <summary>The element type of a container whose allocator is its last template type argument: the allocator's own
    /// argument (<c>std::pair&lt;const K, V&gt;</c> for a map, <c>K</c> for a set).</summary>
    public static DwarfType? AllocatedType(DwarfType container)
    {
        if (container.Canonical is not CompositeType c) return null;
        for (int i = c.TemplateParameters.Count - 1; i >= 0; i--)
        {
            var p = c.TemplateParameters[i];
            if (p.Value is null && p.Type?.Canonical is CompositeType alloc && alloc.Name?.Contains("allocator<", StringComparison.Ordinal) == true)
                return AllocatorArgument(alloc, 0);
        }
        return null;
    }

    // GCC describes std::allocator<T> without its template parameter, but its base __new_allocator<T> with it.
    private static DwarfType? AllocatorArgument(CompositeType alloc, int depth)
    {
        if (Members.TypeArgument(alloc, 0) is { } argument) return argument;
        if (depth > 4) return null;
        foreach (var b in alloc.Bases)
        {
            if (b.Type?.Canonical is CompositeType baseType && AllocatorArgument(baseType, depth + 1) is { } found) return found;
        }
        return null;
    }

    /// <summary>Reads the pointer at <paramref name="address"/>.</summary>
    public static ulong ReadPointer(IByteSource memory, ulong address)
    {
        Span<byte> bytes = stackalloc byte[8];
        if (memory.Read(address, bytes) < 8) throw new ValueException($"cannot read a node link at 0x{address:x}");
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}
