namespace TrapDebugger.Dwarf.Types;

/// <summary>Layout rules of the x86-64 System V ABI for types whose DWARF states no alignment: what the compiler used to
/// place a value after another (a node's payload after its links, a tuple's fields).</summary>
public static class TypeLayout
{
    private const int MaxDepth = 32;

    /// <summary>The alignment of <paramref name="type"/> in bytes (at least 1).</summary>
    public static ulong AlignmentOf(DwarfType? type, int depth)
    {
        if (type is null || depth > MaxDepth) return 1;
        if (type.Alignment is { } stated) return stated;
        switch (type)
        {
            case TypedefType td: return AlignmentOf(td.Target, depth + 1);
            case QualifiedType q: return AlignmentOf(q.Target, depth + 1);
            case BaseType b: return b.ByteSize is 0 ? 1 : Math.Min(b.ByteSize, 16);
            case PointerType or ReferenceType or PointerToMemberType: return 8;
            case EnumerationType e: return e.Underlying is { } u ? AlignmentOf(u, depth + 1) : Math.Clamp(e.ByteSize, 1, 8);
            case ArrayType a: return AlignmentOf(a.Element, depth + 1);
            case CompositeType c:
                {
                    ulong max = 1;
                    foreach (var m in c.Members) max = Math.Max(max, AlignmentOf(m.Type, depth + 1));
                    foreach (var b in c.Bases) max = Math.Max(max, AlignmentOf(b.Type, depth + 1));
                    if (c.VariantPart is { } part)
                    {
                        if (part.Discriminant is { } d) max = Math.Max(max, AlignmentOf(d.Type, depth + 1));
                        foreach (var v in part.Variants)
                            foreach (var m in v.Members) max = Math.Max(max, AlignmentOf(m.Type, depth + 1));
                    }
                    return max;
                }
            default: return 1;
        }
    }

    /// <summary><paramref name="offset"/> rounded up to a multiple of <paramref name="alignment"/>.</summary>
    public static ulong AlignUp(ulong offset, ulong alignment) => alignment <= 1 ? offset : (offset + alignment - 1) / alignment * alignment;
}
