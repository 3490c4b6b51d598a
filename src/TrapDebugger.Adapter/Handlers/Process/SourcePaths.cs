using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>Translates source paths between the debug information (where the program was built) and the client's
/// machine: <c>sourceMap</c> prefixes, and relative paths (a compilation directory of "." or none) taken from a base directory.</summary>
/// <remarks>
/// Every source the adapter reports goes through <see cref="ToClient"/>, every path the client sends through
/// <see cref="ToTarget"/>. A prefix matches whole path components (<c>/build</c> maps <c>/build/a.c</c>, not
/// <c>/builder/a.c</c>); the first entry that matches wins, as lldb applies its source map.
/// </remarks>
public sealed class SourcePaths
{
    private readonly IReadOnlyList<(string From, string To)> entries;
    private readonly string relativeBase;

    /// <summary>Paths as they are: no map, relative paths taken from the adapter's working directory.</summary>
    public static SourcePaths Identity { get; } = new(new SourceMap(), Directory.GetCurrentDirectory());

    /// <summary>Creates the translation for <paramref name="map"/>, with relative paths taken from <paramref name="relativeBase"/>.</summary>
    public SourcePaths(SourceMap map, string relativeBase)
    {
        entries = map.Entries.Select(e => (Trim(e.From), Trim(e.To))).Where(e => e.Item1.Length > 0).ToList();
        this.relativeBase = relativeBase;
    }

    /// <summary>The client's path for <paramref name="path"/> from the debug information: the first <c>sourceMap</c> entry
    /// that matches maps it (relative entries such as "." match relative paths); a relative path no entry maps is taken
    /// from the base directory when the file is there, and left as it is otherwise (glibc's "./csu/…" names no file here).</summary>
    public string ToClient(string path)
    {
        foreach (var (from, to) in entries)
        {
            if (Replace(path, from, to) is { } mapped)
                return Path.IsPathRooted(mapped) ? Path.GetFullPath(mapped) : mapped;
        }
        if (Path.IsPathRooted(path))
            return path;
        var candidate = Path.GetFullPath(path, relativeBase);
        return File.Exists(candidate) ? candidate : path;
    }

    /// <summary>The debug information's path for <paramref name="path"/> from the client (a breakpoint's source): the first
    /// entry whose local side holds it, mapped back; unmapped paths as they are.</summary>
    public string ToTarget(string path)
    {
        foreach (var (from, to) in entries)
        {
            if (Replace(path, to, from) is { } mapped)
                return mapped;
        }
        return path;
    }

    /// <summary><paramref name="text"/> (a diagnosis in words) with each of <paramref name="paths"/> (source paths from the
    /// debug information that the text may name) replaced by the client's path for it, so prose and sources agree.</summary>
    public string InText(string text, IEnumerable<string?> paths)
    {
        if (entries.Count == 0 && !paths.Any(p => p is { Length: > 0 } && !Path.IsPathRooted(p))) return text;
        // Longest first: a path is never rewritten inside a longer one that names another file.
        foreach (var path in paths.OfType<string>().Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length))
        {
            var mapped = ToClient(path);
            if (mapped != path) text = text.Replace(path, mapped, StringComparison.Ordinal);
        }
        return text;
    }

    private static string? Replace(string path, string prefix, string replacement)
    {
        if (prefix == "/")
            return path.StartsWith('/') ? Join(replacement, path[1..]) : null;
        if (path == prefix)
            return replacement;
        if (path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path[prefix.Length] == '/')
            return Join(replacement, path[(prefix.Length + 1)..]);
        return null;
    }

    private static string Join(string directory, string rest) =>
        rest.Length == 0 ? directory : directory.EndsWith('/') ? directory + rest : $"{directory}/{rest}";

    private static string Trim(string prefix) => prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
}
