using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary><c>Rc&lt;T&gt;</c>, <c>Arc&lt;T&gt;</c> and their <c>Weak</c>s: the reference counts of the shared allocation
/// (<c>strong=2, weak=0</c>, the weak count without the one all strong references hold together, as lldb shows it) and
/// the shared value as the only child and as <c>*rc</c>.</summary>
internal sealed class RustRcView : ValueView
{
    private readonly ulong _strong;
    private readonly ulong _weak;
    private readonly string _payloadName;
    private readonly DebugValue? _payload;

    private RustRcView(ulong strong, ulong weak, string payloadName, DebugValue? payload)
    {
        _strong = strong;
        _weak = weak;
        _payloadName = payloadName;
        _payload = payload;
    }

    /// <summary>The view of an <c>Rc</c>, <c>Arc</c> or <c>Weak</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.FirstPointer(value) is not { } pointer || (pointer.Canonical as PointerType)?.Pointee is not { } innerType
            || innerType.Canonical is not CompositeType)
            return null;
        ulong address = pointer.GetRawInteger(memory);
        // Weak::new() points nowhere (usize::MAX): there is no allocation to count.
        if (address == ulong.MaxValue) return new RustRcView(0, 0, "value", null);
        var inner = DebugValue.InMemory(innerType, address).Prefetch(memory);
        if (Members.Find(inner, "strong") is not { } strong || Members.FirstInteger(strong) is not { } strongCount
            || Members.Find(inner, "weak") is not { } weak || Members.FirstInteger(weak) is not { } weakCount)
            return null;
        var name = inner.Member("value") is not null ? "value" : "data";
        return new RustRcView(strongCount.GetRawInteger(memory), weakCount.GetRawInteger(memory), name, inner.Member(name));
    }

    private ulong WeakCount => _weak == 0 ? 0 : _weak - 1;

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) =>
        _payload is null ? "dangling" : $"strong={_strong}, weak={WeakCount}";

    /// <inheritdoc/>
    public override int ChildCount => _payload is null || _strong == 0 ? 0 : 1;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) =>
        start == 0 && count > 0 && ChildCount == 1 ? [new NamedValue(_payloadName, _payload!, expression is null ? null : $"*{expression}")] : [];

    /// <inheritdoc/>
    public override DebugValue? Field(string name) => name switch
    {
        "value" or "data" when _payload is not null => _payload,
        "strong" => DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)_strong),
        "weak" => DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)WeakCount),
        _ => null,
    };

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "strong_count" => DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)_strong),
        "weak_count" => DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)WeakCount),
        _ => null,
    };

    /// <inheritdoc/>
    public override DebugValue? Pointee => _strong == 0 ? null : _payload;
}
