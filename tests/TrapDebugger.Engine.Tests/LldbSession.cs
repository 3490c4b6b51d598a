using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Runs <c>lldb-22 -b</c> through a scripted session (breakpoint, launch, commands at each stop) and reads what
/// each command printed: <c>p expr</c> results and the nested <c>frame variable</c> tree.</summary>
internal static partial class LldbSession
{
    [GeneratedRegex(@"^\((.+?)\) ([A-Za-z_][A-Za-z0-9_]*) = (.*)$")]
    private static partial Regex TopLevelVariable();

    [GeneratedRegex(@"^( +)(.+?) = (.*)$")]
    private static partial Regex NestedMember();

    /// <summary>Runs <paramref name="program"/> with the breakpoint command <paramref name="breakpoint"/>, then
    /// <paramref name="commands"/> (use "c" to continue to the next stop); returns each command with the lines it printed.</summary>
    public static List<(string Command, List<string> Lines)> Run(string program, string breakpoint, IEnumerable<string> commands, string? arguments = null)
    {
        var launch = arguments is null ? "process launch" : "process launch -- " + arguments;
        var args = new List<string> { "-b", "-o", "settings set stop-line-count-before 0", "-o", "settings set stop-line-count-after 0", "-o", breakpoint, "-o", launch };
        foreach (var c in commands)
        {
            args.Add("-o");
            args.Add(c);
        }
        args.Add("-o");
        args.Add("process kill");
        args.Add(program);
        var result = Toolchain.Run(Toolchain.Lldb, args, timeout: TimeSpan.FromMinutes(2));
        var sections = new List<(string, List<string>)>();
        foreach (var raw in result.Stdout.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("(lldb) ", StringComparison.Ordinal)) sections.Add((line[7..], []));
            else if (sections.Count > 0) sections[^1].Item2.Add(line);
        }
        return sections;
    }

    /// <summary>The value <c>p</c> printed: the text after the leading "(type)" of its first line, or null for an error.</summary>
    public static string? PrintedValue(List<string> lines)
    {
        if (lines.Count == 0 || !lines[0].StartsWith('(')) return null;
        var line = lines[0];
        int depth = 0;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '(') depth++;
            else if (line[i] == ')' && --depth == 0) return line[(i + 1)..].Trim();
        }
        return null;
    }

    /// <summary>The variables <c>frame variable</c> printed, flattened to "a.b.c" → value; aggregates print as "{".</summary>
    public static Dictionary<string, string> FlattenFrameVariables(List<string> lines)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var line in lines)
        {
            if (TopLevelVariable().Match(line) is { Success: true } top)
            {
                path.Clear();
                Add(top.Groups[2].Value, top.Groups[3].Value, 0);
            }
            else if (NestedMember().Match(line) is { Success: true } nested && path.Count > 0)
            {
                Add(nested.Groups[2].Value, nested.Groups[3].Value, nested.Groups[1].Value.Length / 2);
            }
        }
        return result;

        void Add(string name, string value, int level)
        {
            if (level > path.Count) return;
            path.RemoveRange(level, path.Count - level);
            path.Add(name);
            bool opens = value.EndsWith('{');
            result[string.Join('.', path)] = opens ? "{" : value;
            if (!opens) path.RemoveAt(path.Count - 1);
        }
    }
}
