using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary><c>Cell&lt;T&gt;</c> and <c>UnsafeCell&lt;T&gt;</c> (shown as the value they hold), and <c>RefCell&lt;T&gt;</c>,
/// <c>Ref</c>, <c>RefMut</c> (shown as their borrow state, <c>borrow=1</c> or <c>borrow_mut=1</c>, as lldb shows them);
/// the held value is the child <c>value</c>.</summary>
internal sealed class RustCellView(DebugValue payload, long? borrow) : ValueView
{
    /// <summary>The view of a cell or borrow guard, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        var name = value.Canonical.Name ?? "";
        long? borrow = null;
        if (value.Member("borrow") is { } borrowMember)
        {
            // RefCell holds a Cell<isize>; Ref and RefMut hold a guard with a reference to that cell.
            var counter = borrowMember;
            if (Members.FirstPointer(counter) is { } reference && (reference.Canonical as PointerType)?.Pointee is { } cellType)
                counter = DebugValue.InMemory(cellType, reference.GetRawInteger(memory));
            if (Members.FirstInteger(counter) is not { } count) return null;
            borrow = (long)count.GetRawInteger(memory);
        }
        if (value.Member("value") is not { } held) return null;
        if (name.StartsWith("core::cell::Ref<", StringComparison.Ordinal) || name.StartsWith("core::cell::RefMut<", StringComparison.Ordinal))
        {
            // The guard's value is a NonNull<T> to the cell's contents.
            if ((held.Canonical is PointerType ? held : Members.FirstPointer(held)) is not { } pointer
                || (pointer.Canonical as PointerType)?.Pointee is not { } target)
                return null;
            return new RustCellView(DebugValue.InMemory(target, pointer.GetRawInteger(memory)), borrow);
        }
        return new RustCellView(Unwrap(held), borrow);
    }

    // Cell<T> { value: UnsafeCell<T> { value: T } }: the innermost value is what the program stored.
    private static DebugValue Unwrap(DebugValue held)
    {
        for (int guard = 0; guard < 4 && held.Canonical.Name?.StartsWith("core::cell::UnsafeCell<", StringComparison.Ordinal) == true; guard++)
        {
            if (held.Member("value") is not { } inner) break;
            held = inner;
        }
        return held;
    }

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => borrow switch
    {
        null => formatter.FormatNested(payload, format, depth + 1),
        >= 0 => $"borrow={borrow}",
        _ => $"borrow_mut={-borrow}",
    };

    /// <inheritdoc/>
    public override int ChildCount => 1;

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression) =>
        start == 0 && count > 0 ? [new NamedValue("value", payload, expression is null ? null : $"{expression}.value")] : [];

    /// <inheritdoc/>
    public override DebugValue? Field(string name) => name switch
    {
        "value" => payload,
        "borrow" when borrow is { } b => DebugValue.FromInteger(new BaseType { Name = "isize", ByteSize = 8, Encoding = BaseTypeEncoding.Signed, Language = DwarfLanguage.Rust }, b),
        _ => null,
    };

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name is "get" or "borrow" or "borrow_mut" or "get_mut" ? payload : null;

    /// <inheritdoc/>
    public override DebugValue? Pointee => payload;
}
