using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary>Rust's fat pointers to slices, <c>&amp;[T]</c>, <c>&amp;mut [T]</c>, <c>Box&lt;[T]&gt;</c> (a <c>data_ptr</c> and a
/// <c>length</c>), shown as their elements; a fat pointer to <c>str</c> is text.</summary>
internal static class RustSliceView
{
    /// <summary>True for a struct made of exactly a <c>data_ptr</c> pointer and a <c>length</c>, as rustc describes fat pointers.</summary>
    public static bool IsFatPointer(CompositeType type) =>
        type.Members.Count == 2 && type.Members.Any(m => m.Name == "data_ptr" && m.Type?.Canonical is PointerType)
        && type.Members.Any(m => m.Name == "length");

    /// <summary>The view of a fat pointer to a slice or a <c>str</c>.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (value.Member("data_ptr") is not { } pointer || value.Member("length") is not { } length) return null;
        var element = (pointer.Canonical as PointerType)?.Pointee;
        ulong data = pointer.GetRawInteger(memory), count = length.GetRawInteger(memory);
        var name = value.Canonical.Name ?? "";
        bool text = (name.EndsWith("str", StringComparison.Ordinal) || name.Contains("<str,", StringComparison.Ordinal) || name.Contains("<str>", StringComparison.Ordinal))
            && element?.Canonical is BaseType { ByteSize: 1 };
        if (text) return new RustStringView(data, count, null);
        return element is null ? null : new ContiguousView(value.Canonical.Language, element, data, (long)count);
    }
}
