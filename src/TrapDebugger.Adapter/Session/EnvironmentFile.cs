using System.Text;

namespace TrapDebugger.Adapter.Session;

/// <summary>Reads an <c>envFile</c>: <c>NAME=value</c> lines as dotenv files write them (cpptools and CodeLLDB take the same).</summary>
/// <remarks>
/// Blank lines and lines starting with <c>#</c> are skipped, and an <c>export </c> before the name is allowed so a file
/// that a shell sources works too. A value may be in single quotes (taken as written), in double quotes (<c>\n</c>,
/// <c>\t</c>, <c>\"</c> and <c>\\</c> are escapes; the value may span lines), or bare (trimmed, and a <c> #</c> starts a
/// comment). Variables are not expanded. Every other line is an error naming its line number: a file that is only half
/// read would start the program in an environment nobody asked for.
/// </remarks>
public static class EnvironmentFile
{
    /// <summary>The largest file read: an environment file is a few lines, anything bigger is a wrong path.</summary>
    public const long MaxBytes = 1 << 20;

    /// <summary>Parses the text of an environment file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="FormatException">A line is not a variable assignment; the message names the line.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text, string name)
    {
        var result = new List<KeyValuePair<string, string>>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            if (line.StartsWith("export ", StringComparison.Ordinal))
                line = line["export ".Length..].TrimStart();
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new FormatException($"{name} line {lineNumber}: expected NAME=value, not '{Shorten(line)}'");
            var key = line[..equals].Trim();
            if (!IsName(key))
                throw new FormatException($"{name} line {lineNumber}: '{Shorten(key)}' is not a variable name (letters, digits and '_', not starting with a digit)");
            var rest = line[(equals + 1)..].TrimStart();
            string value;
            if (rest.StartsWith('\''))
            {
                int close = rest.IndexOf('\'', 1);
                if (close < 0)
                    throw new FormatException($"{name} line {lineNumber}: the value of {key} has no closing single quote");
                value = rest[1..close];
                RequireOnlyComment(rest[(close + 1)..], name, lineNumber, key);
            }
            else if (rest.StartsWith('"'))
            {
                (value, i, var after) = ReadDoubleQuoted(lines, i, lines[i].IndexOf('"', StringComparison.Ordinal) + 1, name, key);
                RequireOnlyComment(after, name, lineNumber, key);
            }
            else
            {
                int comment = rest.IndexOf(" #", StringComparison.Ordinal);
                value = (comment >= 0 ? rest[..comment] : rest).Trim();
            }
            result.Add(new(key, value));
        }
        return result;
    }

    private static (string Value, int LastLine, string After) ReadDoubleQuoted(string[] lines, int line, int start, string name, string key)
    {
        var value = new StringBuilder();
        int first = line;
        for (; line < lines.Length; line++, start = 0)
        {
            var text = lines[line].TrimEnd('\r');
            for (int j = start; j < text.Length; j++)
            {
                char c = text[j];
                if (c == '"')
                    return (value.ToString(), line, text[(j + 1)..]);
                if (c == '\\' && j + 1 < text.Length)
                {
                    char next = text[++j];
                    value.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => next });
                    continue;
                }
                value.Append(c);
            }
            value.Append('\n');
        }
        throw new FormatException($"{name} line {first + 1}: the value of {key} has no closing double quote");
    }

    private static void RequireOnlyComment(string after, string name, int line, string key)
    {
        var rest = after.Trim();
        if (rest.Length > 0 && rest[0] != '#')
            throw new FormatException($"{name} line {line}: unexpected text after the quoted value of {key}: '{Shorten(rest)}'");
    }

    private static bool IsName(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
