using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views;

/// <summary>Finds the members a view needs by name or by shape, through the wrappers libraries nest them in
/// (<c>NonNull</c>, <c>Unique</c>, compressed pairs, allocator bases), so a view holds across library versions that
/// rename or re-nest the wrappers.</summary>
internal static class Members
{
    // libc++ nests std::variant's index ten bases deep.
    private const int SearchDepth = 16;

    /// <summary>Breadth-first search of members and non-virtual bases for one named <paramref name="name"/> that
    /// <paramref name="accept"/> takes; null when there is none.</summary>
    public static DebugValue? Find(DebugValue root, string name, Func<DebugValue, bool>? accept = null) =>
        Search(root, (m, v) => m.Name == name && (accept is null || accept(v)));

    /// <summary>The first member (breadth first) whose value is a pointer.</summary>
    public static DebugValue? FirstPointer(DebugValue root) => Search(root, (_, v) => v.Canonical is PointerType);

    /// <summary>The first member (breadth first) whose value is an integer.</summary>
    public static DebugValue? FirstInteger(DebugValue root) =>
        root.Canonical is BaseType or EnumerationType ? root : Search(root, (_, v) => v.Canonical is BaseType { IsFloat: false } or EnumerationType);

    /// <summary>The first member (breadth first) whose canonical type's name starts with <paramref name="prefix"/>.</summary>
    public static DebugValue? OfTypeNamed(DebugValue root, string prefix) =>
        Search(root, (_, v) => v.Canonical.Name?.StartsWith(prefix, StringComparison.Ordinal) == true);

    /// <summary>True when the value is a pointer.</summary>
    public static bool IsPointer(DebugValue v) => v.Canonical is PointerType;

    /// <summary>The <paramref name="index"/>-th template type argument of <paramref name="type"/>, or null.</summary>
    public static DwarfType? TypeArgument(DwarfType type, int index)
    {
        if (type.Canonical is not CompositeType c) return null;
        int seen = 0;
        foreach (var p in c.TemplateParameters)
        {
            if (p.Value is not null) continue;
            if (seen++ == index) return p.Type;
        }
        return null;
    }

    /// <summary>The value of the template value parameter named <paramref name="name"/> of <paramref name="type"/>, or null.</summary>
    public static long? ValueArgument(DwarfType type, string name) =>
        type.Canonical is CompositeType c ? c.TemplateParameters.FirstOrDefault(p => p.Name == name && p.Value is not null)?.Value : null;

    /// <summary>The member of <paramref name="type"/> named <paramref name="name"/> (found through bases and anonymous members).</summary>
    public static DataMember? MemberOf(DwarfType? type, string name, out ulong offset)
    {
        offset = 0;
        return type?.Canonical is CompositeType c && c.TryFindMember(name, out var m, out offset) ? m : null;
    }

    /// <summary>Reads an unsigned integer member, or null when it is missing.</summary>
    public static ulong? Unsigned(DebugValue? value, IByteSource memory) => value is null ? null : value.GetRawInteger(memory);

    private static DebugValue? Search(DebugValue root, Func<DataMember, DebugValue, bool> match)
    {
        var queue = new Queue<(DebugValue Value, int Depth)>();
        queue.Enqueue((root, 0));
        while (queue.Count > 0)
        {
            var (v, depth) = queue.Dequeue();
            if (v.Canonical is not CompositeType c) continue;
            foreach (var m in c.Members)
            {
                if (m.Type is null) continue;
                var child = v.Slice(m.Type, m.ByteOffset, m.BitSize, m.BitOffset);
                if (match(m, child)) return child;
                if (depth < SearchDepth && m.Type.Canonical is CompositeType) queue.Enqueue((child, depth + 1));
            }
            foreach (var b in c.Bases)
            {
                if (b.Type is null || b.IsVirtual || depth >= SearchDepth) continue;
                queue.Enqueue((v.Slice(b.Type, b.ByteOffset), depth + 1));
            }
        }
        return null;
    }
}
