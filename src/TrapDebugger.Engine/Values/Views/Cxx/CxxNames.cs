namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary>The standard library templates a C++ view exists for.</summary>
internal enum CxxKind { None, String, StringView, Vector, Array, Span, Deque, List, Tree, HashTable, UniquePtr, SharedPtr, Optional, Variant }

/// <summary>Recognizes standard library types by their qualified names in libstdc++ (<c>std::</c>, <c>std::__cxx11::</c>,
/// <c>std::__debug::</c>) and libc++ (<c>std::__1::</c>, <c>std::__2::</c>).</summary>
internal static class CxxNames
{
    private static readonly string[] Namespaces = ["std::__cxx11::", "std::__1::", "std::__2::", "std::__debug::", "std::"];

    private static readonly (string Prefix, CxxKind Kind)[] Templates =
    [
        ("basic_string<char,", CxxKind.String), ("basic_string<char>", CxxKind.String),
        ("basic_string_view<char,", CxxKind.StringView), ("basic_string_view<char>", CxxKind.StringView),
        ("vector<", CxxKind.Vector), ("array<", CxxKind.Array), ("span<", CxxKind.Span), ("deque<", CxxKind.Deque),
        ("list<", CxxKind.List),
        ("map<", CxxKind.Tree), ("multimap<", CxxKind.Tree), ("set<", CxxKind.Tree), ("multiset<", CxxKind.Tree),
        ("unordered_map<", CxxKind.HashTable), ("unordered_multimap<", CxxKind.HashTable),
        ("unordered_set<", CxxKind.HashTable), ("unordered_multiset<", CxxKind.HashTable),
        ("unique_ptr<", CxxKind.UniquePtr), ("shared_ptr<", CxxKind.SharedPtr), ("weak_ptr<", CxxKind.SharedPtr),
        ("optional<", CxxKind.Optional), ("variant<", CxxKind.Variant),
    ];

    /// <summary>Which standard template <paramref name="qualifiedName"/> is an instance of.</summary>
    public static CxxKind Classify(string qualifiedName)
    {
        var bare = Bare(qualifiedName);
        if (bare is null || bare.StartsWith("vector<bool", StringComparison.Ordinal)) return CxxKind.None;
        foreach (var (prefix, kind) in Templates)
        {
            if (bare.StartsWith(prefix, StringComparison.Ordinal)) return kind;
        }
        return CxxKind.None;
    }

    // The name without the standard namespace, or null outside it.
    private static string? Bare(string name)
    {
        foreach (var ns in Namespaces)
        {
            if (name.StartsWith(ns, StringComparison.Ordinal)) return name[ns.Length..];
        }
        return null;
    }
}
