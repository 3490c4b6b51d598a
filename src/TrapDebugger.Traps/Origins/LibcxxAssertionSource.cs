using System.Text;

namespace TrapDebugger.Traps;

/// <summary>Recovers the trap message of a libc++ hardening assertion (<c>_LIBCPP_ASSERT_VALID_ELEMENT_ACCESS(cond, "msg")</c>
/// and the other <c>_LIBCPP_ASSERT_&lt;KIND&gt;</c> macros) from the header's source text.</summary>
/// <remarks>
/// libc++'s <c>__assert</c> maps every enabled kind to <c>_LIBCPP_ASSERT(expression, message)</c>, whose handler in trap mode
/// is <c>__builtin_verbose_trap("libc++", __FILE__ ":" __LINE__ ": libc++ Hardening assertion " #expression " failed: "
/// message "\n")</c>. The category is "libc++" whatever the kind; the message is rebuilt the same way, with Clang's
/// <c>__LINE__</c> (the line of the invocation's closing parenthesis) and the stringized expression, so an optimized build
/// reports the text its unoptimized build keeps in the debug information.
/// </remarks>
public static class LibcxxAssertionSource
{
    /// <summary>The category libc++ passes to <c>__builtin_verbose_trap</c>.</summary>
    public const string Category = "libc++";

    /// <summary>The prefix every libc++ assertion macro name starts with.</summary>
    public const string MacroPrefix = "_LIBCPP_ASSERT";

    /// <summary>How many lines an invocation may span (long conditions are wrapped by clang-format).</summary>
    public const int MaxInvocationLines = 8;

    /// <summary>The column of the first libc++ assertion macro invocation on <paramref name="text"/>, or -1.</summary>
    public static int FindInvocation(string text)
    {
        for (var at = text.IndexOf(MacroPrefix, StringComparison.Ordinal); at >= 0; at = text.IndexOf(MacroPrefix, at + 1, StringComparison.Ordinal))
        {
            if (at > 0 && IsIdentifier(text[at - 1])) continue;
            var end = at + MacroPrefix.Length;
            // _LIBCPP_ASSERT itself or _LIBCPP_ASSERT_<KIND>; not _LIBCPP_ASSERTION_HANDLER and friends.
            if (end < text.Length && text[end] == '_')
            {
                end++;
                while (end < text.Length && (char.IsAsciiLetterUpper(text[end]) || char.IsAsciiDigit(text[end]) || text[end] == '_')) end++;
                if (end == at + MacroPrefix.Length + 1) continue;
            }
            if (end < text.Length && IsIdentifier(text[end])) continue;
            var open = end;
            while (open < text.Length && char.IsWhiteSpace(text[open])) open++;
            if (open < text.Length && text[open] == '(') return at;
        }
        return -1;
    }

    /// <summary>Reads the invocation starting at line <paramref name="line"/>, column <paramref name="column"/> of
    /// <paramref name="file"/> and rebuilds libc++'s category and message; false when it is not a complete two-argument call
    /// whose second argument is a string literal.</summary>
    public static bool TryRecover(ISourceText sources, string file, int line, int column, out string category, out string message)
    {
        category = message = "";
        var first = sources.GetLine(file, line);
        if (first is null || column < 0 || column >= first.Length) return false;
        var text = new StringBuilder(first[column..]);
        for (var more = 0; more < MaxInvocationLines; more++)
        {
            if (TryParseInvocation(text.ToString(), out var expression, out var literal, out var closingLine))
            {
                category = Category;
                message = $"{file}:{line + closingLine}: libc++ Hardening assertion {expression} failed: {literal}\n";
                return true;
            }
            if (sources.GetLine(file, line + more + 1) is not { } next) break;
            text.Append('\n').Append(next);
        }
        return false;
    }

    /// <summary>Parses <c>NAME ( expression , "literal" … )</c>: the expression stringized as the preprocessor does (comments
    /// and whitespace runs become one space), the message literal, and how many lines after the first the ')' is on.</summary>
    public static bool TryParseInvocation(string text, out string expression, out string literal, out int closingLine)
    {
        expression = literal = "";
        closingLine = 0;
        var pos = text.IndexOf('(');
        if (pos < 0) return false;
        var arguments = new List<(int Start, int End)>();
        var depth = 0;
        var start = ++pos;
        for (; pos < text.Length; pos++)
        {
            var c = text[pos];
            if (c is '"' or '\'')
            {
                if (!SkipQuoted(text, ref pos)) return false;
                continue;
            }
            if (c == '/' && pos + 1 < text.Length && text[pos + 1] is '/' or '*')
            {
                var end = text[pos + 1] == '/' ? text.IndexOf('\n', pos) : text.IndexOf("*/", pos + 2, StringComparison.Ordinal) + 1;
                if (end <= 0) return false;
                pos = end;
                continue;
            }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                if (depth-- > 0) continue;
                if (c != ')') return false;
                arguments.Add((start, pos));
                break;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add((start, pos));
                start = pos + 1;
            }
        }
        if (pos >= text.Length || arguments.Count != 2) return false;
        var messageText = text[arguments[1].Start..arguments[1].End] + ")";
        if (!VerboseTrapSource.TryParseLiteralsThenClose(messageText, out literal)) return false;
        expression = Stringize(text[arguments[0].Start..arguments[0].End]);
        if (expression.Length == 0) return false;
        closingLine = text.AsSpan(0, pos).Count('\n');
        return true;
    }

    /// <summary>The preprocessor's <c>#</c>: comments and whitespace runs between tokens become one space, the ends are trimmed,
    /// and '"' and '\' inside string and character literals are escaped.</summary>
    public static string Stringize(string argument)
    {
        var sb = new StringBuilder();
        var space = false;
        for (var pos = 0; pos < argument.Length; pos++)
        {
            var c = argument[pos];
            if (c == '/' && pos + 1 < argument.Length && argument[pos + 1] is '/' or '*')
            {
                var end = argument[pos + 1] == '/' ? argument.IndexOf('\n', pos) : argument.IndexOf("*/", pos + 2, StringComparison.Ordinal) + 1;
                pos = end <= 0 ? argument.Length : end;
                space = true;
                continue;
            }
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            if (c is '"' or '\'')
            {
                var from = pos;
                if (!SkipQuoted(argument, ref pos)) pos = argument.Length - 1;
                foreach (var q in argument.AsSpan(from, pos - from + 1))
                {
                    if (q is '"' or '\\') sb.Append('\\');
                    sb.Append(q);
                }
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    // Moves pos from an opening quote to its closing quote; false when the literal does not end on its line.
    private static bool SkipQuoted(string text, ref int pos)
    {
        var quote = text[pos];
        for (pos++; pos < text.Length; pos++)
        {
            if (text[pos] == '\\') { pos++; continue; }
            if (text[pos] == '\n') return false;
            if (text[pos] == quote) return true;
        }
        return false;
    }

    private static bool IsIdentifier(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
