namespace TrapDebugger.Engine.Values.Views;

/// <summary>How a value of a library type is shown and reached into: a one-line summary, the children the variables view
/// expands (elements or fields), and what expressions can take from it (<c>v[i]</c>, <c>x.field</c>, <c>v.len()</c>,
/// <c>*p</c>).</summary>
/// <remarks>A view is what lldb calls a summary plus synthetic children provider. Views read the library's members by
/// name from DWARF (never at fixed offsets) and are built per value, so a layout they do not recognize falls back to
/// the plain struct.</remarks>
internal abstract class ValueView
{
    /// <summary>The one-line text of the value; <paramref name="formatter"/> formats nested values in <paramref name="format"/>
    /// at <paramref name="depth"/> + 1.</summary>
    public abstract string Summary(ValueFormatter formatter, ValueFormat format, int depth);

    /// <summary>How many children the value expands to.</summary>
    public virtual int ChildCount => 0;

    /// <summary>True when the children are elements (<c>[0]</c>, <c>[1]</c>, …), which a client fetches in pages.</summary>
    public virtual bool ChildrenAreElements => false;

    /// <summary>The children from <paramref name="start"/>, at most <paramref name="count"/>; <paramref name="expression"/>
    /// is the parent's expression, from which each child's is built.</summary>
    public virtual IReadOnlyList<NamedValue> Children(int start, int count, string? expression) => [];

    /// <summary>Element <paramref name="index"/> for <c>v[i]</c>, or null when the value has no elements.</summary>
    /// <exception cref="ValueException">The index is outside the container.</exception>
    public virtual DebugValue? Element(long index) => null;

    /// <summary>A field reached by name (<c>x.0</c>, <c>shape.radius</c>, <c>cell.value</c>), or null.</summary>
    public virtual DebugValue? Field(string name) => null;

    /// <summary>The result of a query method without arguments (<c>v.len()</c>, <c>o.is_some()</c>), or null when the
    /// view has no such method.</summary>
    public virtual DebugValue? Method(string name) => null;

    /// <summary>What <c>*x</c> gives (the value a smart pointer owns), or null.</summary>
    public virtual DebugValue? Pointee => null;

    /// <summary>The children of an element container, from <paramref name="start"/>: <c>[i]</c> named, <c>expr[i]</c> reached.</summary>
    protected IReadOnlyList<NamedValue> Elements(int start, int count, string? expression)
    {
        var result = new List<NamedValue>();
        for (long i = Math.Max(start, 0); i < ChildCount && result.Count < count; i++)
            result.Add(new NamedValue($"[{i}]", Element(i)!, expression is null ? null : $"{expression}[{i}]"));
        return result;
    }

    /// <summary>Throws the error of an index outside a container of <paramref name="count"/> elements.</summary>
    protected static void CheckIndex(long index, long count)
    {
        if (index < 0 || index >= count)
            throw new ValueException($"index {index} is outside the {count} element{(count == 1 ? "" : "s")} of the container");
    }
}
