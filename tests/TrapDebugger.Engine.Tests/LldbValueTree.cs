using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>One value as <c>lldb-22</c>'s <c>frame variable</c> prints it: its summary (the text before the children's
/// brace) and its children, nested as lldb indents them.</summary>
internal sealed record LldbValue(string Name, string? Type, string Summary)
{
    public List<LldbValue> Children { get; } = [];

    public override string ToString() => $"{Name} = {Summary} ({Children.Count} children)";
}

/// <summary>Runs a program under <c>lldb-22 -b</c> to a breakpoint with formatters loaded (the Rust ones shipped with the
/// toolchain for Rust programs) and parses the <c>frame variable</c> trees it prints.</summary>
internal static partial class LldbValueTree
{
    [GeneratedRegex(@"^\((.+?)\) ([A-Za-z_][A-Za-z0-9_]*) = ?(.*)$")]
    private static partial Regex TopLevel();

    [GeneratedRegex(@"^( +)(.+?) = ?(.*)$")]
    private static partial Regex Nested();

    /// <summary>The directory of the Rust toolchain's lldb formatters (lldb_lookup.py, lldb_commands).</summary>
    public static string RustFormatters()
    {
        var sysroot = Toolchain.Run(Toolchain.Rustc, ["--print", "sysroot"]).Stdout.Trim();
        return Path.Combine(sysroot, "lib", "rustlib", "etc");
    }

    /// <summary>Stops <paramref name="program"/> at <paramref name="file"/>:<paramref name="line"/> and returns the top-level
    /// variables of <c>frame variable</c> (<paramref name="depth"/> levels of children), after running
    /// <paramref name="setup"/> commands (formatters to load).</summary>
    public static List<LldbValue> FrameVariables(string program, string file, int line, IReadOnlyList<string> arguments, IReadOnlyList<string> setup,
        IReadOnlyList<string> names, int depth = 4)
    {
        var args = new List<string> { "-b" };
        foreach (var c in setup.Append($"breakpoint set -f {file} -l {line}").Append("process launch -- " + string.Join(' ', arguments))
                     .Append($"frame variable -D {depth} {string.Join(' ', names)}").Append("process kill"))
        {
            args.Add("-o");
            args.Add(c);
        }
        args.Add(program);
        var result = Toolchain.Run(Toolchain.Lldb, args, timeout: TimeSpan.FromMinutes(3));
        var lines = new List<string>();
        bool inside = false;
        foreach (var raw in result.Stdout.Split('\n'))
        {
            if (raw.StartsWith("(lldb) ", StringComparison.Ordinal))
            {
                inside = raw.StartsWith("(lldb) frame variable", StringComparison.Ordinal);
                continue;
            }
            if (inside) lines.Add(raw);
        }
        if (lines.Count == 0) throw new InvalidOperationException("lldb printed no frame variables:\n" + result.Stdout + result.Stderr);
        return Parse(lines);
    }

    /// <summary>Parses the lines of <c>frame variable</c>.</summary>
    public static List<LldbValue> Parse(IEnumerable<string> lines)
    {
        var roots = new List<LldbValue>();
        var open = new List<LldbValue>();
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.Trim() == "}")
            {
                if (open.Count > 0) open.RemoveAt(open.Count - 1);
                continue;
            }
            if (TopLevel().Match(line) is { Success: true } top)
            {
                open.Clear();
                var node = Make(top.Groups[2].Value, top.Groups[1].Value, top.Groups[3].Value, out bool opens);
                roots.Add(node);
                if (opens) open.Add(node);
            }
            else if (Nested().Match(line) is { Success: true } nested && open.Count > 0)
            {
                int level = nested.Groups[1].Value.Length / 2;
                while (open.Count > level) open.RemoveAt(open.Count - 1);
                if (open.Count == 0) continue;
                var node = Make(nested.Groups[2].Value, null, nested.Groups[3].Value, out bool opens);
                open[^1].Children.Add(node);
                if (opens) open.Add(node);
            }
        }
        return roots;
    }

    private static LldbValue Make(string name, string? type, string value, out bool opens)
    {
        value = value.Trim();
        opens = false;
        if (value == "{}") return new LldbValue(name, type, "");
        if (value.EndsWith(" {}", StringComparison.Ordinal)) return new LldbValue(name, type, Regex.Replace(value[..^3].Trim(), @"\s+", " "));
        if (value.EndsWith(" {", StringComparison.Ordinal) || value == "{")
        {
            opens = true;
            value = value[..^1].Trim();
        }
        return new LldbValue(name, type, Regex.Replace(value, @"\s+", " "));
    }
}
