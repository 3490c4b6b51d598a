using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::vector&lt;T&gt;</c> (not <c>vector&lt;bool&gt;</c>): the elements between the begin and end pointers
/// (libstdc++ <c>_M_start</c>/<c>_M_finish</c>, libc++ <c>__begin_</c>/<c>__end_</c>), the element type being what they point to.</summary>
internal sealed class CxxVectorView(DwarfLanguage language, DwarfType element, ulong first, long count, ulong? capacityEnd)
    : ContiguousView(language, element, first, count)
{
    /// <summary>The view of a vector, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        var first = Members.Find(value, "_M_start", Members.IsPointer) ?? Members.Find(value, "__begin_", Members.IsPointer);
        var last = Members.Find(value, "_M_finish", Members.IsPointer) ?? Members.Find(value, "__end_", Members.IsPointer);
        if (first is null || last is null || (first.Canonical as PointerType)?.Pointee is not { } element) return null;
        var size = element.Canonical.ByteSize;
        if (size == 0) return null;
        ulong begin = first.GetRawInteger(memory), end = last.GetRawInteger(memory);
        if (end < begin || (end - begin) % size != 0)
            throw new ValueException("the vector's end lies before its begin; it is not initialized or is corrupt");
        // libstdc++ _M_end_of_storage; libc++ __end_cap_ (a compressed pair) or, since libc++ 20, __cap_.
        var capacity = Members.Find(value, "_M_end_of_storage", Members.IsPointer) ?? Members.Find(value, "__cap_", Members.IsPointer)
            ?? (Members.Find(value, "__end_cap_") is { } pair ? (Members.IsPointer(pair) ? pair : Members.FirstPointer(pair)) : null);
        return new CxxVectorView(value.Canonical.Language, element, begin, (long)((end - begin) / size), capacity?.GetRawInteger(memory));
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "capacity" when capacityEnd is { } end && end >= First => DebugValue.FromInteger(BuiltinTypes.SizeT, (long)((end - First) / ElementType.Canonical.ByteSize)),
        "front" when Count > 0 => ElementAt(0),
        "back" when Count > 0 => ElementAt(Count - 1),
        "data" => DebugValue.FromInteger(BuiltinTypes.PointerTo(ElementType), (long)First),
        _ => base.Method(name),
    };
}
