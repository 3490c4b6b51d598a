using System.Text.RegularExpressions;

namespace TrapDebugger.Cli.Tests.Support;

/// <summary>Finds the lines of a fixture's checks in its source text, so tests never carry line numbers.</summary>
internal static partial class FixtureSource
{
    /// <summary>The statement of the <c>__builtin_verbose_trap(category, message)</c> call (directly or through a macro whose
    /// call site carries the same two literals): from the line of the <c>if</c> that guards it to the line of the call.</summary>
    public static (string File, int First, int Last) VerboseTrapStatement(IEnumerable<string> files, string category, string message)
    {
        var call = new Regex($"\\(\\s*\"{Regex.Escape(category)}\"\\s*,\\s*\"{Regex.Escape(message)}\"\\s*\\)");
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var k = 0; k < lines.Length; k++)
            {
                if (!call.IsMatch(lines[k])) continue;
                var first = k;
                // The guarding `if` is on the call's line or up to three lines above it.
                for (var up = k; up >= Math.Max(0, k - 3); up--)
                {
                    if (IfStatement().IsMatch(lines[up]))
                    {
                        first = up;
                        break;
                    }
                }
                return (file, first + 1, k + 1);
            }
        }
        throw new InvalidOperationException($"no verbose trap (\"{category}\", \"{message}\") in {string.Join(", ", files)}");
    }

    /// <summary>The 1-based line of the first line of <paramref name="file"/> containing <paramref name="text"/>.</summary>
    public static int LineContaining(string file, string text)
    {
        var lines = File.ReadAllLines(file);
        for (var k = 0; k < lines.Length; k++)
        {
            if (lines[k].Contains(text, StringComparison.Ordinal)) return k + 1;
        }
        throw new InvalidOperationException($"'{text}' is not in {file}");
    }

    [GeneratedRegex(@"\bif\s*\(")]
    private static partial Regex IfStatement();
}
