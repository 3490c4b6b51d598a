using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::variant&lt;T...&gt;</c>: the index of the live alternative (libstdc++ <c>_M_index</c>, libc++ <c>__index</c>)
/// picks a template argument, whose value starts the storage union (<c>_M_u</c>, <c>__data</c>); shown as lldb shows
/// it, <c>Active Type = int</c> with the child <c>Value</c>.</summary>
internal sealed class CxxVariantView(DwarfType? alternative, DebugValue? payload, long index) : ValueView
{
    /// <summary>The view of a variant, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        var indexMember = Members.Find(value, "_M_index") ?? Members.Find(value, "__index");
        var storage = Members.Find(value, "_M_u") ?? Members.Find(value, "__data");
        if (indexMember is null || storage is null) return null;
        ulong raw = indexMember.GetRawInteger(memory);
        // A valueless variant holds variant_npos narrowed to the index type: all ones.
        int bits = (int)Math.Clamp(indexMember.Canonical.ByteSize * 8, 8, 64);
        ulong all = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        if ((raw & all) == all) return new CxxVariantView(null, null, -1);
        var alternative = Members.TypeArgument(value.Canonical, (int)Math.Min(raw, int.MaxValue));
        if (alternative is null) throw new ValueException($"the variant's index {raw} names no alternative; it is corrupt");
        return new CxxVariantView(alternative, storage.Address is { } at ? DebugValue.InMemory(alternative, at) : storage.Slice(alternative, 0), (long)raw);
    }

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) =>
        alternative is null ? "No Value" : $"Active Type = {alternative.DisplayName}";

    /// <inheritdoc/>
    public override int ChildCount => payload is null ? 0 : 1;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) =>
        payload is not null && start == 0 && count > 0 ? [new NamedValue("Value", payload, null)] : [];

    /// <inheritdoc/>
    public override DebugValue? Pointee => payload;

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "index" => DebugValue.FromInteger(BuiltinTypes.SizeT, index),
        "valueless_by_exception" => DebugValue.FromInteger(BuiltinTypes.Bool, index < 0 ? 1 : 0),
        _ => null,
    };
}
