using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary><c>alloc::vec::Vec&lt;T&gt;</c>: <c>len</c> elements of the template argument <c>T</c> from the buffer's pointer
/// (found by shape, as <c>RawVec</c> nests it in <c>Unique</c>/<c>NonNull</c> differently across versions).</summary>
internal sealed class RustVecView : ContiguousView
{
    private readonly ulong? _capacity;

    private RustVecView(DebugValue vec, Dwarf.Types.DwarfType element, RawVec raw)
        : base(vec.Canonical.Language, element, raw.Data, (long)raw.Length) => _capacity = raw.Capacity;

    /// <summary>The view of a <c>Vec</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.TypeArgument(value.Canonical, 0) is not { } element) return null;
        return Read(value, memory) is { } raw ? new RustVecView(value, element, raw) : null;
    }

    /// <summary>The buffer, length and capacity of a <c>Vec</c> (also the bytes of a <c>String</c>).</summary>
    public static RawVec? Read(DebugValue vec, IByteSource memory)
    {
        if (vec.Member("len") is not { } len) return null;
        var buffer = vec.Member("buf") ?? vec;
        if (Members.FirstPointer(buffer) is not { } pointer) return null;
        ulong? capacity = Members.Find(buffer, "cap") is { } cap && Members.FirstInteger(cap) is { } c ? c.GetRawInteger(memory) : null;
        return new RawVec(pointer.GetRawInteger(memory), len.GetRawInteger(memory), capacity);
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name == "capacity" && _capacity is { } c
        ? DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)c)
        : base.Method(name);
}

/// <summary>What a <c>Vec</c> holds: the buffer's address, the number of elements and the capacity (when found).</summary>
internal readonly record struct RawVec(ulong Data, ulong Length, ulong? Capacity);
