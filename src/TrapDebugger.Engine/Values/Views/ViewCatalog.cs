using System.Runtime.CompilerServices;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;
using TrapDebugger.Engine.Values.Views.Cxx;
using TrapDebugger.Engine.Values.Views.Rust;

namespace TrapDebugger.Engine.Values.Views;

/// <summary>Picks the view of a value from its type: the Rust standard library (String, Vec, Option and every enum with
/// a variant part, Rc, HashMap, BTreeMap, cells, tuples, slices) and the C++ standard libraries (libstdc++ and libc++
/// strings, sequences, trees, hash tables, smart pointers, optional, variant).</summary>
/// <remarks>Types are recognized by their qualified names, as lldb's formatters do, and checked by the members the view
/// needs when the view is built; the choice is cached per type, the view per value and memory version.</remarks>
internal static class ViewCatalog
{
    private delegate ValueView? Factory(DebugValue value, IByteSource memory);

    private static readonly ConditionalWeakTable<DwarfType, Choice> Choices = new();

    private sealed record Choice(Factory? Create);

    /// <summary>The view of <paramref name="value"/>, or null when its type has none or its members are not as expected.</summary>
    public static ValueView? For(DebugValue value, IByteSource memory)
    {
        if (!value.IsAvailable) return null;
        var type = value.Canonical;
        if (type is not CompositeType) return null;
        var choice = Choices.GetValue(type, t => new Choice(Classify((CompositeType)t)));
        if (choice.Create is not { } create) return null;
        long version = memory is ITargetMemory target ? target.Version : 0;
        return value.CachedView(version, () =>
        {
            try
            {
                return create(value.Prefetch(memory), memory);
            }
            catch (ValueException e)
            {
                // The object's members say it is not (yet) a valid container: say why instead of showing garbage.
                return new UnreadableView(e.Message);
            }
        });
    }

    /// <summary>True when <paramref name="type"/> is shown through a view (it is not a plain struct).</summary>
    public static bool HasView(DwarfType type) =>
        type.Canonical is CompositeType c && Choices.GetValue(c, t => new Choice(Classify((CompositeType)t))).Create is not null;

    private static Factory? Classify(CompositeType type)
    {
        if (type.IsDeclaration) return null;
        if (type.VariantPart is not null) return (v, m) => new VariantView(v, m);
        var name = type.Name ?? "";
        if (type.Language.IsRust) return ClassifyRust(type, name);
        return CxxNames.Classify(name) switch
        {
            CxxKind.String or CxxKind.StringView => CxxStringView.Create,
            CxxKind.Vector => CxxVectorView.Create,
            CxxKind.Array => CxxArrayView.Create,
            CxxKind.Span => CxxSpanView.Create,
            CxxKind.Deque => CxxDequeView.Create,
            CxxKind.List => CxxListView.Create,
            CxxKind.Tree => CxxTreeView.Create,
            CxxKind.HashTable => CxxHashTableView.Create,
            CxxKind.UniquePtr => CxxUniquePtrView.Create,
            CxxKind.SharedPtr => CxxSharedPtrView.Create,
            CxxKind.Optional => CxxOptionalView.Create,
            CxxKind.Variant => CxxVariantView.Create,
            _ => null,
        };
    }

    private static Factory? ClassifyRust(CompositeType type, string name)
    {
        if (name == "alloc::string::String" || name.StartsWith("std::ffi::os_str::OsString", StringComparison.Ordinal)
            || name == "std::path::PathBuf")
            return RustStringView.CreateOwned;
        if (RustSliceView.IsFatPointer(type)) return RustSliceView.Create;
        if (StartsWith(name, "alloc::vec::Vec<")) return RustVecView.Create;
        if (StartsWith(name, "alloc::collections::vec_deque::VecDeque<")) return RustVecDequeView.Create;
        if (StartsWith(name, "alloc::rc::Rc<") || StartsWith(name, "alloc::sync::Arc<")
            || StartsWith(name, "alloc::rc::Weak<") || StartsWith(name, "alloc::sync::Weak<"))
            return RustRcView.Create;
        if (StartsWith(name, "core::cell::Cell<") || StartsWith(name, "core::cell::UnsafeCell<") || StartsWith(name, "core::cell::RefCell<")
            || StartsWith(name, "core::cell::Ref<") || StartsWith(name, "core::cell::RefMut<"))
            return RustCellView.Create;
        if (StartsWith(name, "std::collections::hash::map::HashMap<") || StartsWith(name, "std::collections::hash::set::HashSet<")
            || StartsWith(name, "hashbrown::map::HashMap<") || StartsWith(name, "hashbrown::set::HashSet<"))
            return RustHashMapView.Create;
        if (StartsWith(name, "alloc::collections::btree::map::BTreeMap<") || StartsWith(name, "alloc::collections::btree::set::BTreeSet<"))
            return RustBTreeView.Create;
        return RustStructView.Create;
    }

    // A library object whose members cannot be what they claim (uninitialized memory, a corrupt size).
    private sealed class UnreadableView(string reason) : ValueView
    {
        public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => $"<{reason}>";

        // Elements, methods and the pointee are refused with the reason; fields stay reachable (the raw members are what
        // shows how the object went wrong).
        public override DebugValue? Element(long index) => throw new ValueException(reason);

        public override DebugValue? Method(string name) => throw new ValueException(reason);

        public override DebugValue? Pointee => throw new ValueException(reason);
    }

    private static bool StartsWith(string name, string prefix) => name.StartsWith(prefix, StringComparison.Ordinal);
}
