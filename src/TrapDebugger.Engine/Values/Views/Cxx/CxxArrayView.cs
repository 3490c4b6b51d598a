using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::array&lt;T, N&gt;</c> (libstdc++ <c>_M_elems</c>, libc++ <c>__elems_</c>) and <c>std::span&lt;T, N&gt;</c>
/// (a data pointer and, for a dynamic extent, a size; otherwise the extent template argument).</summary>
internal static class CxxArrayView
{
    /// <summary>The view of a <c>std::array</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        var elements = value.Member("_M_elems") ?? value.Member("__elems_");
        if (elements?.Canonical is ArrayType { Element: { } element } array && elements.Address is { } at)
            return new ContiguousView(value.Canonical.Language, element, at, (long)(array.Count ?? 0));
        // std::array<T, 0> holds an empty struct in place of the array.
        if (elements is not null && Members.TypeArgument(value.Canonical, 0) is { } t && value.Address is { } empty)
            return new ContiguousView(value.Canonical.Language, t, empty, 0);
        return null;
    }
}

/// <summary><c>std::span&lt;T, Extent&gt;</c> of libstdc++ (<c>_M_ptr</c>, <c>_M_extent._M_extent_value</c>) and libc++
/// (<c>__data_</c>, <c>__size_</c>); a span of static extent keeps only the pointer, its size is the template argument.</summary>
internal static class CxxSpanView
{
    /// <summary>The view of a <c>std::span</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        var pointer = Members.Find(value, "_M_ptr", Members.IsPointer) ?? Members.Find(value, "__data_", Members.IsPointer)
            ?? Members.Find(value, "__data", Members.IsPointer);
        if (pointer is null || (pointer.Canonical as PointerType)?.Pointee is not { } element) return null;
        long count;
        if ((Members.Find(value, "_M_extent_value") ?? Members.Find(value, "__size_") ?? Members.Find(value, "__size")) is { } size)
            count = (long)size.GetRawInteger(memory);
        else if (Members.ValueArgument(value.Canonical, "_Extent") is { } extent && extent >= 0)
            count = extent;
        else
            return null;
        return new ContiguousView(value.Canonical.Language, element, pointer.GetRawInteger(memory), count);
    }
}
