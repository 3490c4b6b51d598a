using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views;

/// <summary>A value with a variant part (every Rust enum with data: <c>Option</c>, <c>Result</c>, user enums): the live
/// variant, chosen by the discriminant's value, shown by name with its fields, as lldb's Rust formatter prints it:
/// <c>Some(5)</c>, <c>Err("bad")</c>, <c>Circle{r:1.5}</c>, <c>None</c>.</summary>
internal sealed class VariantView : ValueView
{
    private readonly DebugValue _value;
    private readonly List<(string Label, string Member, DebugValue Value)> _fields = [];
    private readonly bool _tuple;

    /// <summary>Reads the discriminant of <paramref name="value"/> and selects its variant.</summary>
    public VariantView(DebugValue value, IByteSource memory)
    {
        _value = value;
        var type = (CompositeType)value.Canonical;
        var part = type.VariantPart!;
        ulong raw = 0;
        if (part.Discriminant is { } d && d.Type is { } dt)
            raw = value.Slice(dt, d.ByteOffset, d.BitSize, d.BitOffset).GetRawInteger(memory);
        var variant = part.Select(raw)
            ?? throw new ValueException($"the discriminant {raw} selects none of the variants of '{type.DisplayName}'");
        // Rust describes each variant as one member, named after the variant, whose struct holds the variant's fields.
        if (variant.Members is [{ Name: { } name, Type: { } payloadType } only] && payloadType.Canonical is CompositeType payloadStruct)
        {
            VariantName = name;
            var payload = value.Slice(payloadType, only.ByteOffset);
            foreach (var m in payloadStruct.Members)
            {
                if (m.IsArtificial || m.Type is null) continue;
                _fields.Add((FieldLabel(m.Name), m.Name ?? "", payload.Slice(m.Type, m.ByteOffset, m.BitSize, m.BitOffset)));
            }
        }
        else
        {
            foreach (var m in variant.Members)
            {
                if (m.IsArtificial || m.Type is null) continue;
                _fields.Add((FieldLabel(m.Name), m.Name ?? "", value.Slice(m.Type, m.ByteOffset, m.BitSize, m.BitOffset)));
            }
        }
        _tuple = _fields.Count > 0 && _fields.All(f => f.Member.StartsWith("__", StringComparison.Ordinal));
    }

    /// <summary>The name of the live variant ("Some", "Err"), or null when the variant has no name of its own.</summary>
    public string? VariantName { get; }

    /// <summary>"__0" is how rustc names the fields of tuple variants and tuple structs; users write and read them as "0".</summary>
    public static string FieldLabel(string? member) =>
        member is { Length: > 2 } m && m.StartsWith("__", StringComparison.Ordinal) && m.AsSpan(2).IndexOfAnyExceptInRange('0', '9') < 0 ? m[2..] : member ?? "";

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth)
    {
        var name = VariantName ?? "";
        if (_fields.Count == 0) return name;
        var parts = _fields.Select(f => _tuple
            ? formatter.FormatNested(f.Value, format, depth + 1)
            : $"{f.Label}:{formatter.FormatNested(f.Value, format, depth + 1)}");
        return _tuple ? $"{name}({string.Join(", ", parts)})" : $"{name}{{{string.Join(", ", parts)}}}";
    }

    /// <inheritdoc/>
    public override int ChildCount => _fields.Count;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) =>
        _fields.Skip(Math.Max(start, 0)).Take(count)
            .Select(f => new NamedValue(f.Label, f.Value, expression is null ? null : $"{expression}.{f.Label}")).ToList();

    /// <inheritdoc/>
    public override DebugValue? Field(string name)
    {
        foreach (var f in _fields)
        {
            if (f.Label == name || f.Member == name) return f.Value;
        }
        return null;
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name)
    {
        var language = _value.Canonical.Language;
        switch (name)
        {
            case "is_some" or "is_none" or "is_ok" or "is_err":
                {
                    var wanted = name switch { "is_some" => "Some", "is_none" => "None", "is_ok" => "Ok", _ => "Err" };
                    return DebugValue.FromInteger(BuiltinTypes.BoolIn(language), VariantName == wanted ? 1 : 0);
                }
            case "unwrap":
                if (VariantName is "Some" or "Ok" && _fields.Count == 1) return _fields[0].Value;
                throw new ValueException($"unwrap() of {VariantName ?? "this variant"}: there is no value");
            case "unwrap_err":
                if (VariantName == "Err" && _fields.Count == 1) return _fields[0].Value;
                throw new ValueException($"unwrap_err() of {VariantName ?? "this variant"}: there is no error");
            default:
                return null;
        }
    }
}
