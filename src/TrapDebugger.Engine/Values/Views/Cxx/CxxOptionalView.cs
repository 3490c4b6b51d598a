using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::optional&lt;T&gt;</c> (libstdc++ <c>_M_engaged</c>/<c>_M_value</c>, libc++ <c>__engaged_</c>/<c>__val_</c>):
/// <c>Has Value=true</c> with the child <c>Value</c>, as lldb shows it; <c>*o</c> and <c>o.value()</c> are the value.</summary>
internal sealed class CxxOptionalView(bool engaged, DebugValue payload) : ValueView
{
    /// <summary>The view of an optional, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        var engaged = Members.Find(value, "_M_engaged") ?? Members.Find(value, "__engaged_");
        var payload = Members.Find(value, "_M_value") ?? Members.Find(value, "__val_");
        return engaged is null || payload is null ? null : new CxxOptionalView(engaged.GetRawInteger(memory) != 0, payload);
    }

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => engaged ? "Has Value=true" : "Has Value=false";

    /// <inheritdoc/>
    public override int ChildCount => engaged ? 1 : 0;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) =>
        engaged && start == 0 && count > 0 ? [new NamedValue("Value", payload, expression is null ? null : $"*{expression}")] : [];

    /// <inheritdoc/>
    public override DebugValue? Pointee => engaged ? payload : throw new ValueException("the optional has no value");

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "has_value" => DebugValue.FromInteger(BuiltinTypes.Bool, engaged ? 1 : 0),
        "value" => Pointee,
        _ => null,
    };
}
