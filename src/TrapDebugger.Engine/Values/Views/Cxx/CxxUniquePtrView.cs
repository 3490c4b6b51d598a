using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::unique_ptr&lt;T&gt;</c> (libstdc++ <c>_M_head_impl</c>, libc++ <c>__ptr_</c>) and, through
/// <see cref="CxxSharedPtrView"/>, the owners that count: shown as what they own (a scalar's value, a class's
/// <c>Type @ 0x…</c> as lldb shows it, <c>nullptr</c>), expanding to the owned object, and <c>*p</c> is that object.</summary>
internal class CxxUniquePtrView(DebugValue pointer, IByteSource memory) : ValueView
{
    /// <summary>The view of a <c>unique_ptr</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.Find(value, "_M_head_impl", Members.IsPointer) is { } gnu) return new CxxUniquePtrView(gnu, memory);
        if (Members.Find(value, "__ptr_") is { } ptr)
            return (Members.IsPointer(ptr) ? ptr : Members.Find(ptr, "__value_", Members.IsPointer)) is { } llvm ? new CxxUniquePtrView(llvm, memory) : null;
        return null;
    }

    /// <summary>The owned pointer.</summary>
    protected DebugValue Pointer => pointer;

    /// <summary>The address owned (0 for none).</summary>
    protected ulong Address { get; } = pointer.GetRawInteger(memory);

    /// <summary>The owned object, or null when the pointer is null or points to void.</summary>
    protected DebugValue? Target => Address != 0 && (pointer.Canonical as PointerType)?.Pointee is { } t && t.Canonical is not UnspecifiedType
        ? DebugValue.InMemory(t, Address)
        : null;

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => OwnedSummary(formatter, format, depth);

    /// <summary>What the pointer owns, spelled as lldb spells it.</summary>
    protected string OwnedSummary(ValueFormatter formatter, ValueFormat format, int depth)
    {
        if (Address == 0) return "nullptr";
        if (Target is not { } target) return ValueFormatter.Hex(Address);
        if (target.Canonical is CompositeType && ViewCatalog.For(target, memory) is null)
            return $"{target.Type.DisplayName} @ {ValueFormatter.Hex(Address)}";
        return formatter.FormatNested(target, format, depth + 1);
    }

    /// <inheritdoc/>
    public override int ChildCount => Target is { } t ? Math.Max(new ValueFormatter(memory).ChildCount(t), 1) : 0;

    /// <inheritdoc/>
    public override bool ChildrenAreElements => Target is { } t && new ValueFormatter(memory).ChildrenAreElements(t);

    /// <inheritdoc/>
    public override IReadOnlyList<NamedValue> Children(int start, int count, string? expression)
    {
        if (Target is not { } target) return [];
        var formatter = new ValueFormatter(memory);
        // An owned object with members or elements expands to them; a scalar shows as "*p".
        if (formatter.ChildCount(target) > 0) return formatter.Children(target, start, count, expression is null ? null : $"(*{expression})");
        return start == 0 && count > 0 ? [new NamedValue("*", target, expression is null ? null : $"*{expression}")] : [];
    }

    /// <inheritdoc/>
    public override DebugValue? Pointee => Target ?? throw new ValueException(Address == 0 ? "the smart pointer is null" : "the smart pointer owns an object of unknown type");

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name == "get" ? Pointer : null;
}

/// <summary><c>std::shared_ptr&lt;T&gt;</c> and <c>std::weak_ptr&lt;T&gt;</c>: the object and the counts of its control block,
/// <c>42 strong=2 weak=1</c> as lldb shows libstdc++'s (<c>_M_refcount._M_pi</c>'s <c>_M_use_count</c> and
/// <c>_M_weak_count</c>); libc++'s control block (<c>__cntrl_</c>: <c>__shared_owners_</c> and
/// <c>__shared_weak_owners_</c>, both stored one less) is counted when its class is described.</summary>
internal sealed class CxxSharedPtrView(DebugValue pointer, IByteSource memory, ulong? strong, ulong? weak) : CxxUniquePtrView(pointer, memory)
{
    /// <summary>The view of a <c>shared_ptr</c> or <c>weak_ptr</c>, or null when its members are not the expected ones.</summary>
    public static new ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.Find(value, "_M_ptr", Members.IsPointer) is { } gnu)
        {
            ulong? use = null, weakCount = null;
            if (Members.Find(value, "_M_pi", Members.IsPointer) is { } pi && pi.GetRawInteger(memory) is var block and not 0
                && (pi.Canonical as PointerType)?.Pointee is { Canonical: CompositeType { IsDeclaration: false } } blockType)
            {
                var counts = DebugValue.InMemory(blockType, block).Prefetch(memory);
                use = Members.Find(counts, "_M_use_count")?.GetRawInteger(memory);
                weakCount = Members.Find(counts, "_M_weak_count")?.GetRawInteger(memory);
                // The strong owners together hold one weak reference; lldb shows the weak_ptrs alone.
                if (use > 0 && weakCount > 0) weakCount--;
            }
            return new CxxSharedPtrView(gnu, memory, use, weakCount);
        }
        if (Members.Find(value, "__ptr_", Members.IsPointer) is { } llvm)
        {
            ulong? use = null, weakCount = null;
            if (Members.Find(value, "__cntrl_", Members.IsPointer) is { } control && control.GetRawInteger(memory) is var block and not 0
                && (control.Canonical as PointerType)?.Pointee is { Canonical: CompositeType { IsDeclaration: false } } blockType)
            {
                var counts = DebugValue.InMemory(blockType, block).Prefetch(memory);
                if (Members.Find(counts, "__shared_owners_") is { } owners) use = owners.GetRawInteger(memory) + 1;
                if (Members.Find(counts, "__shared_weak_owners_") is { } weakOwners) weakCount = weakOwners.GetRawInteger(memory) + 1 - (use > 0 ? 1UL : 0UL);
            }
            return new CxxSharedPtrView(llvm, memory, use, weakCount);
        }
        return null;
    }

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth)
    {
        var owned = OwnedSummary(formatter, format, depth);
        return strong is { } s ? $"{owned} strong={s} weak={weak ?? 0}" : owned;
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "use_count" when strong is { } s => DebugValue.FromInteger(BuiltinTypes.Long, (long)s),
        "expired" when strong is { } s => DebugValue.FromInteger(BuiltinTypes.Bool, s == 0 ? 1 : 0),
        _ => base.Method(name),
    };
}
