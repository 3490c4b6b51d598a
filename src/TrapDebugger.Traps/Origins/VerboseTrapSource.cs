using System.Text;

namespace TrapDebugger.Traps;

/// <summary>Recovers the category and message of a <c>__builtin_verbose_trap(…)</c> call, or of a libc++ assertion macro that
/// expands to one, from source text.</summary>
/// <remarks>Optimized code keeps the line of each check's branch but drops the trap-message frames; the call usually sits on
/// the branch's line (<c>if (i &gt;= n) __builtin_verbose_trap(…)</c>) or on the next lines of the same statement.</remarks>
public static class VerboseTrapSource
{
    private const string Call = "__builtin_verbose_trap";

    /// <summary>How many lines after the branch's line may still hold the call (an <c>if</c> with the call on the next line).</summary>
    public const int StatementLines = 3;

    /// <summary>Finds the call at or just after <paramref name="line"/> of <paramref name="file"/> and parses its two string literals.</summary>
    public static bool TryRecover(ISourceText sources, string file, int line, out string category, out string message)
    {
        category = message = "";
        if (line <= 0) return false;
        for (var l = line; l <= line + StatementLines; l++)
        {
            var text = sources.GetLine(file, l);
            if (text is null) return false;
            var at = text.IndexOf(Call, StringComparison.Ordinal);
            var libcxx = LibcxxAssertionSource.FindInvocation(text);
            if (libcxx >= 0 && (at < 0 || libcxx < at))
                return LibcxxAssertionSource.TryRecover(sources, file, l, libcxx, out category, out message);
            if (at >= 0)
            {
                // The arguments may continue on the following lines.
                var sb = new StringBuilder(text[(at + Call.Length)..]);
                for (var more = 1; more <= StatementLines; more++)
                {
                    if (TryParseArguments(sb.ToString(), out category, out message)) return true;
                    var next = sources.GetLine(file, l + more);
                    if (next is null) break;
                    sb.Append('\n').Append(next);
                }
                return TryParseArguments(sb.ToString(), out category, out message);
            }
            // A statement that ends on this line without the call is not the check's trap.
            var code = StripComment(text).TrimEnd();
            if (l > line && (code.EndsWith(';') || code.EndsWith('}'))) return false;
            if (l == line && code.EndsWith(';')) return false;
        }
        return false;
    }

    /// <summary>Parses "(" string-literal "," string-literal ")" (adjacent literals concatenate) from the text after the call name.</summary>
    public static bool TryParseArguments(string text, out string category, out string message)
    {
        category = message = "";
        var pos = 0;
        SkipSpace(text, ref pos);
        if (pos >= text.Length || text[pos] != '(') return false;
        pos++;
        if (!ReadLiterals(text, ref pos, out var first)) return false;
        SkipSpace(text, ref pos);
        if (pos >= text.Length || text[pos] != ',') return false;
        pos++;
        if (!ReadLiterals(text, ref pos, out var second)) return false;
        SkipSpace(text, ref pos);
        if (pos >= text.Length || text[pos] != ')') return false;
        category = first;
        message = second;
        return true;
    }

    /// <summary>Parses string-literal ")" (adjacent literals concatenate), the tail of a macro call's last argument.</summary>
    public static bool TryParseLiteralsThenClose(string text, out string value)
    {
        var pos = 0;
        if (!ReadLiterals(text, ref pos, out value)) return false;
        SkipSpace(text, ref pos);
        return pos < text.Length && text[pos] == ')' && pos == text.Length - 1;
    }

    private static string StripComment(string line)
    {
        var i = line.IndexOf("//", StringComparison.Ordinal);
        return i >= 0 ? line[..i] : line;
    }

    private static void SkipSpace(string text, ref int pos)
    {
        while (pos < text.Length)
        {
            if (char.IsWhiteSpace(text[pos])) { pos++; continue; }
            if (pos + 1 < text.Length && text[pos] == '/' && text[pos + 1] == '*')
            {
                var end = text.IndexOf("*/", pos + 2, StringComparison.Ordinal);
                pos = end < 0 ? text.Length : end + 2;
                continue;
            }
            if (pos + 1 < text.Length && text[pos] == '/' && text[pos + 1] == '/')
            {
                var end = text.IndexOf('\n', pos);
                pos = end < 0 ? text.Length : end + 1;
                continue;
            }
            break;
        }
    }

    private static bool ReadLiterals(string text, ref int pos, out string value)
    {
        var sb = new StringBuilder();
        var any = false;
        while (true)
        {
            SkipSpace(text, ref pos);
            // Accept encoding prefixes (u8"…") as written; the message text is the same.
            var start = pos;
            while (pos < text.Length && char.IsAsciiLetterOrDigit(text[pos])) pos++;
            if (pos >= text.Length || text[pos] != '"') { pos = start; break; }
            pos++;
            while (pos < text.Length && text[pos] != '"')
            {
                if (text[pos] == '\\' && pos + 1 < text.Length)
                {
                    pos++;
                    sb.Append(text[pos] switch { 'n' => '\n', 't' => '\t', '\\' => '\\', '"' => '"', '\'' => '\'', '0' => '\0', _ => text[pos] });
                    pos++;
                    continue;
                }
                if (text[pos] == '\n') { value = ""; return false; }
                sb.Append(text[pos++]);
            }
            if (pos >= text.Length) { value = ""; return false; }
            pos++;
            any = true;
        }
        value = sb.ToString();
        return any;
    }
}
