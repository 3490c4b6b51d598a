using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>One frame as <c>lldb-22 -b</c> prints it in <c>bt</c>, with the variables <c>frame variable</c> lists for it.</summary>
internal sealed record LldbFrame(int Index, ulong Pc, string Module, string Function, string? File, int Line, bool Inlined)
{
    public List<LldbVariable> Variables { get; } = [];
}

/// <summary>One top-level line of <c>frame variable</c>: <c>(type) name = value</c>.</summary>
internal sealed record LldbVariable(string Type, string Name, string Value);

/// <summary>Runs a program under <c>lldb-22 -b</c> to a stop (a crash or a breakpoint) and parses the backtrace and variables.</summary>
internal static partial class LldbReference
{
    [GeneratedRegex(@"^\s*\*?\s*frame #(\d+): 0x([0-9a-f]+) ([^`]+)`(.*)$")]
    private static partial Regex FrameLine();

    [GeneratedRegex(@" at ([^ ]+?):(\d+)(?::(\d+))?((?: \[[a-z]+\])*)$")]
    private static partial Regex AtLocation();

    [GeneratedRegex(@"^\((.+?)\) ([A-Za-z_][A-Za-z0-9_]*) = (.*)$")]
    private static partial Regex VariableLine();

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/>; <paramref name="breakpoint"/> ("file:line" or a function name) or null for a crash.</summary>
    public static List<LldbFrame> Run(string program, IReadOnlyList<string> args, string? breakpoint, int frames)
    {
        var commands = new List<string>
        {
            "-o", "settings set stop-line-count-before 0",
            "-o", "settings set stop-line-count-after 0",
        };
        if (breakpoint is not null)
        {
            commands.Add("-o");
            commands.Add(breakpoint.Contains(':') ? $"breakpoint set -f {breakpoint.Split(':')[0]} -l {breakpoint.Split(':')[1]}" : $"breakpoint set -n {breakpoint}");
        }
        commands.Add("-o");
        commands.Add("process launch -- " + string.Join(' ', args));
        var inspect = new List<string> { "bt" };
        for (int i = 0; i < frames; i++)
        {
            inspect.Add($"frame select {i}");
            inspect.Add("frame variable");
        }
        // -o runs after a breakpoint stop; -k after a crash (batch mode skips -o commands then).
        foreach (var c in inspect) { commands.Add(breakpoint is null ? "-k" : "-o"); commands.Add(c); }
        commands.Add("-o");
        commands.Add("process kill");
        var result = Toolchain.Run(Toolchain.Lldb, ["-b", .. commands, program], timeout: TimeSpan.FromMinutes(2));
        return Parse(result.Stdout);
    }

    public static List<LldbFrame> Parse(string output)
    {
        var frames = new List<LldbFrame>();
        string? section = null;
        int selected = -1;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("(lldb) ", StringComparison.Ordinal))
            {
                section = line[7..];
                if (section.StartsWith("frame select ", StringComparison.Ordinal))
                    selected = int.Parse(section[13..], CultureInfo.InvariantCulture);
                continue;
            }
            if (section == "bt" && FrameLine().Match(line) is { Success: true } m)
            {
                var rest = m.Groups[4].Value;
                string? file = null;
                int lineNo = 0;
                bool inlined = rest.Contains("[inlined]", StringComparison.Ordinal);
                if (AtLocation().Match(rest) is { Success: true } at)
                {
                    file = at.Groups[1].Value;
                    lineNo = int.Parse(at.Groups[2].Value, CultureInfo.InvariantCulture);
                    rest = rest[..at.Index];
                }
                frames.Add(new LldbFrame(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                    ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Groups[3].Value.Trim(),
                    FunctionName(rest), file, lineNo, inlined));
            }
            else if (section == "frame variable" && selected >= 0 && selected < frames.Count && VariableLine().Match(line) is { Success: true } v)
            {
                frames[selected].Variables.Add(new LldbVariable(v.Groups[1].Value, v.Groups[2].Value, v.Groups[3].Value));
            }
        }
        return frames;
    }

    /// <summary>The function name of a frame line without its argument list, offset or markers ("get(i=5)" → "get").</summary>
    public static string FunctionName(string text)
    {
        text = text.Replace(" [inlined]", "", StringComparison.Ordinal).Replace(" [opt]", "", StringComparison.Ordinal).Trim();
        int plus = text.LastIndexOf(" + ", StringComparison.Ordinal);
        if (plus > 0 && text[(plus + 3)..].All(char.IsDigit)) text = text[..plus];
        foreach (var qualifier in (string[])[" const", " volatile", " &&", " &"])
        {
            if (text.EndsWith(qualifier, StringComparison.Ordinal)) text = text[..^qualifier.Length];
        }
        if (text.EndsWith(')'))
        {
            int depth = 0;
            for (int i = text.Length - 1; i >= 0; i--)
            {
                if (text[i] == ')') depth++;
                else if (text[i] == '(' && --depth == 0)
                {
                    text = text[..i];
                    break;
                }
            }
        }
        // ABI tags ("[abi:sqe220108]") are part of the mangled name only; template closers are spelled "> >" by DWARF producers.
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\[abi:[^\]]*\]", "");
        return text.Replace("> >", ">>", StringComparison.Ordinal).Trim();
    }
}
