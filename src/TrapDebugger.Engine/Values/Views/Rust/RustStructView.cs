using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary>A Rust struct, tuple struct or tuple without a view of its own, spelled as lldb's Rust formatter spells a
/// field of an enum: <c>{x:1, y:2}</c>, <c>(1, "two", 3)</c>, <c>()</c>; tuple fields are children <c>0</c>, <c>1</c>, ….</summary>
internal sealed class RustStructView(DebugValue value) : ValueView
{
    private readonly List<(string Label, DataMember Member)> _fields = Fields((CompositeType)value.Canonical);

    /// <summary>The view of a Rust struct, tuple or union.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory) => new RustStructView(value);

    private static List<(string, DataMember)> Fields(CompositeType type) =>
        type.Members.Where(m => !m.IsArtificial && m.Type is not null).Select(m => (VariantView.FieldLabel(m.Name), m)).ToList();

    private bool IsTuple => _fields.Count > 0 && _fields.All(f => f.Member.Name?.StartsWith("__", StringComparison.Ordinal) == true);

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth)
    {
        var type = value.Canonical;
        if (_fields.Count == 0)
            return type.Name is null or "()" ? "()" : ShortName(type.Name);
        if (depth >= ValueFormatter.MaxNesting) return IsTuple ? "(...)" : "{...}";
        var sb = new System.Text.StringBuilder(IsTuple ? "(" : "{");
        for (int i = 0; i < _fields.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            var (label, member) = _fields[i];
            if (!IsTuple) sb.Append(label).Append(':');
            sb.Append(formatter.FormatNested(Slice(member), format, depth + 1));
            if (sb.Length > 4 * ValueFormatter.MaxSummaryLength) return sb.Append(IsTuple ? ", ...)" : ", ...}").ToString();
        }
        return sb.Append(IsTuple ? ')' : '}').ToString();
    }

    // "core::marker::PhantomData<i32>" reads as "PhantomData<i32>" where a unit struct is the whole value.
    private static string ShortName(string name)
    {
        int generic = name.IndexOf('<');
        int cut = name.LastIndexOf("::", generic < 0 ? name.Length - 1 : generic, StringComparison.Ordinal);
        return cut < 0 ? name : name[(cut + 2)..];
    }

    private DebugValue Slice(DataMember m) => value.Slice(m.Type!, m.ByteOffset, m.BitSize, m.BitOffset);

    /// <inheritdoc/>
    public override int ChildCount => _fields.Count;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) =>
        _fields.Skip(Math.Max(start, 0)).Take(count)
            .Select(f => new NamedValue(f.Label, Slice(f.Member), expression is null ? null : $"{expression}.{f.Label}")).ToList();

    /// <inheritdoc/>
    public override DebugValue? Field(string name)
    {
        foreach (var (label, member) in _fields)
        {
            if (label == name || member.Name == name) return Slice(member);
        }
        return null;
    }
}
