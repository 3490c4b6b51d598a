using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary>Rust text: <c>String</c> (its <c>Vec&lt;u8&gt;</c>), <c>OsString</c>, <c>PathBuf</c>, and the fat pointers
/// <c>&amp;str</c>, <c>&amp;mut str</c>, <c>Box&lt;str&gt;</c>: shown quoted, as the UTF-8 they hold.</summary>
internal sealed class RustStringView(ulong data, ulong length, ulong? capacity) : ValueView
{
    /// <summary>The view of an owned string (the first <c>Vec</c> inside it holds the bytes).</summary>
    public static ValueView? CreateOwned(DebugValue value, IByteSource memory)
    {
        var vec = value.Canonical.Name?.StartsWith("alloc::vec::Vec<", StringComparison.Ordinal) == true
            ? value
            : Members.OfTypeNamed(value, "alloc::vec::Vec<");
        return vec is not null && RustVecView.Read(vec, memory) is { } raw ? new RustStringView(raw.Data, raw.Length, raw.Capacity) : null;
    }

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => formatter.QuoteAt(data, length);

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "len" => DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)length),
        "is_empty" => DebugValue.FromInteger(BuiltinTypes.RustBool, length == 0 ? 1 : 0),
        "capacity" when capacity is { } c => DebugValue.FromInteger(BuiltinTypes.RustUsize, (long)c),
        _ => null,
    };
}
