using TrapDebugger.Dwarf.Types;

namespace TrapDebugger.Engine.Values.Views;

/// <summary>A container shown as its elements: <c>size=N</c>, children <c>[0]</c> … <c>[N-1]</c>, <c>v[i]</c>, and
/// <c>len()</c>/<c>size()</c>/<c>is_empty()</c>/<c>empty()</c>.</summary>
internal abstract class SequenceView(DwarfLanguage language, long count) : ValueView
{
    /// <summary>The largest element count shown: a count above it comes from memory that is not (yet) the container.</summary>
    public const long MaxCount = 1L << 31;

    /// <summary>The number of elements.</summary>
    public long Count { get; } = count is >= 0 and <= MaxCount ? count
        : throw new ValueException($"the container claims {count} elements; it is not initialized or is corrupt");

    /// <summary>The language whose spelling the view uses for counts and booleans.</summary>
    protected DwarfLanguage Language { get; } = language;

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => $"size={Count}";

    /// <inheritdoc/>
    public override int ChildCount => (int)Count;

    /// <inheritdoc/>
    public override bool ChildrenAreElements => true;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) => Elements(start, count, expression);

    /// <inheritdoc/>
    public override DebugValue? Element(long index)
    {
        CheckIndex(index, Count);
        return ElementAt(index);
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "len" or "size" => DebugValue.FromInteger(BuiltinTypes.CountIn(Language), Count),
        "is_empty" or "empty" => DebugValue.FromInteger(BuiltinTypes.BoolIn(Language), Count == 0 ? 1 : 0),
        _ => null,
    };

    /// <summary>Element <paramref name="index"/> (already checked to be in range).</summary>
    protected abstract DebugValue ElementAt(long index);
}

/// <summary>A sequence whose elements lie one after another from an address.</summary>
internal class ContiguousView(DwarfLanguage language, DwarfType element, ulong first, long count) : SequenceView(language, count)
{
    /// <summary>The element type.</summary>
    protected DwarfType ElementType { get; } = element;

    /// <summary>The address of element 0.</summary>
    protected ulong First { get; } = first;

    /// <inheritdoc/>
    protected override DebugValue ElementAt(long index) => DebugValue.InMemory(ElementType, First + (ulong)index * ElementType.Canonical.ByteSize);
}
