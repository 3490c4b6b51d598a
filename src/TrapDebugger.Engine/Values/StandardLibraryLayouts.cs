using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values;

/// <summary>Recognizes std::string, std::vector and std::unique_ptr of libstdc++ and libc++ from their DWARF members.</summary>
/// <remarks>The members are found by name (not by fixed offsets), so layout changes between library versions that keep
/// the member names (libc++'s <c>__r_</c> to <c>__rep_</c>, <c>__end_cap_</c> to <c>__cap_</c>) are followed.</remarks>
internal static class StandardLibraryLayouts
{
    private const int SearchDepth = 8;

    /// <summary>Which standard container a type is.</summary>
    public enum Container { None, String, StringView, Vector, UniquePtr }

    public static Container Classify(DwarfType type)
    {
        if (type.Canonical is not CompositeType c || c.Name is not { } name) return Container.None;
        var bare = StripStdNamespaces(name);
        if (bare.StartsWith("basic_string<char", StringComparison.Ordinal)) return Container.String;
        if (bare.StartsWith("basic_string_view<char", StringComparison.Ordinal)) return Container.StringView;
        if (bare.StartsWith("vector<", StringComparison.Ordinal) && !bare.StartsWith("vector<bool", StringComparison.Ordinal)) return Container.Vector;
        if (bare.StartsWith("unique_ptr<", StringComparison.Ordinal)) return Container.UniquePtr;
        return Container.None;
    }

    private static string StripStdNamespaces(string name)
    {
        foreach (var prefix in (string[])["std::__cxx11::", "std::__1::", "std::__2::", "std::"])
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return name[prefix.Length..];
        }
        return "";
    }

    /// <summary>Reads a std::string's data pointer and length.</summary>
    public static bool TryReadString(DebugValue value, IByteSource memory, out ulong data, out ulong length)
    {
        data = 0;
        length = 0;
        // libstdc++: _M_dataplus._M_p and _M_string_length.
        if (FindDeep(value, "_M_p", IsPointer) is { } p && FindDeep(value, "_M_string_length", null) is { } len)
        {
            data = p.GetRawInteger(memory);
            length = len.GetRawInteger(memory);
            return true;
        }
        // std::string_view: libstdc++ {_M_len, _M_str}, libc++ {__data_, __size_}.
        if (FindDeep(value, "_M_str", IsPointer) is { } str && FindDeep(value, "_M_len", null) is { } strLen)
        {
            data = str.GetRawInteger(memory);
            length = strLen.GetRawInteger(memory);
            return true;
        }
        if (value.Member("__data_") is { } viewData && IsPointer(viewData) && value.Member("__size_") is { } viewSize)
        {
            data = viewData.GetRawInteger(memory);
            length = viewSize.GetRawInteger(memory);
            return true;
        }
        // libc++: a union of a long form {__is_long_, __cap_, __size_, __data_} and a short form {__is_long_, __size_, __data_[]}.
        if (FindDeep(value, "__l", null) is { } l && FindDeep(value, "__s", null) is { } s)
        {
            var isLong = s.Member("__is_long_") ?? l.Member("__is_long_");
            bool longForm = isLong is not null ? isLong.GetRawInteger(memory) != 0 : false;
            if (longForm)
            {
                if (l.Member("__data_") is not { } ld || l.Member("__size_") is not { } ls) return false;
                data = ld.GetRawInteger(memory);
                length = ls.GetRawInteger(memory);
            }
            else
            {
                if (s.Member("__data_") is not { Address: { } sd } || s.Member("__size_") is not { } ss) return false;
                data = sd;
                length = ss.GetRawInteger(memory);
            }
            return true;
        }
        return false;
    }

    /// <summary>Reads a std::vector's element type, first element address and element count.</summary>
    public static bool TryReadVector(DebugValue value, IByteSource memory, out DwarfType? element, out ulong begin, out ulong count)
    {
        element = null;
        begin = count = 0;
        var first = FindDeep(value, "_M_start", IsPointer) ?? FindDeep(value, "__begin_", IsPointer);
        var last = FindDeep(value, "_M_finish", IsPointer) ?? FindDeep(value, "__end_", IsPointer);
        if (first is null || last is null) return false;
        element = (first.Canonical as PointerType)?.Pointee;
        var size = element?.Canonical.ByteSize ?? 0;
        if (size == 0) return false;
        begin = first.GetRawInteger(memory);
        ulong end = last.GetRawInteger(memory);
        if (end < begin || (end - begin) % size != 0) return false;
        count = (end - begin) / size;
        return true;
    }

    /// <summary>Finds the pointer a std::unique_ptr owns.</summary>
    public static DebugValue? UniquePointer(DebugValue value)
    {
        if (FindDeep(value, "_M_head_impl", IsPointer) is { } gnu) return gnu;
        if (FindDeep(value, "__ptr_", null) is { } ptr)
            return IsPointer(ptr) ? ptr : FindDeep(ptr, "__value_", IsPointer);
        return null;
    }

    private static bool IsPointer(DebugValue v) => v.Canonical is PointerType;

    /// <summary>Breadth-first search for a member named <paramref name="name"/> through members and base classes.</summary>
    public static DebugValue? FindDeep(DebugValue root, string name, Func<DebugValue, bool>? accept)
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
                if (m.Name == name && (accept is null || accept(child))) return child;
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
