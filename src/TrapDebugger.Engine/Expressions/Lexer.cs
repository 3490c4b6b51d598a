using System.Globalization;

namespace TrapDebugger.Engine.Expressions;

/// <summary>Splits expression text into tokens: identifiers (with <c>::</c>), <c>$registers</c>, C literals and punctuators.</summary>
public static class Lexer
{
    /// <summary>The longest expression accepted; watch expressions are one line.</summary>
    public const int MaxLength = 4096;

    private static readonly string[] Punctuators =
    [
        "<<=", ">>=", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
        "+", "-", "*", "/", "%", "<", ">", "!", "~", "&", "|", "^", ".", ",", "(", ")", "[", "]", "?", ":", "=", "{", "}",
    ];

    /// <summary>Tokenizes <paramref name="text"/>; the last token is always <see cref="TokenKind.End"/>.</summary>
    /// <exception cref="ExpressionException">The text holds a character or literal the language does not have.</exception>
    public static List<Token> Tokenize(string text)
    {
        if (text.Length > MaxLength)
            throw new ExpressionException($"expression is longer than {MaxLength} characters");
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            int start = i;
            if (char.IsLetter(c) || c == '_' || (c == ':' && i + 1 < text.Length && text[i + 1] == ':' && i + 2 < text.Length && (char.IsLetter(text[i + 2]) || text[i + 2] == '_')))
            {
                // Qualified names (ns::x, ::global) are one identifier: the scope resolves them as written.
                while (i < text.Length)
                {
                    if (char.IsLetterOrDigit(text[i]) || text[i] == '_') i++;
                    else if (text[i] == ':' && i + 2 < text.Length && text[i + 1] == ':' && (char.IsLetter(text[i + 2]) || text[i + 2] == '_' || text[i + 2] == '~')) i += 2;
                    else break;
                }
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
                continue;
            }
            if (c == '$')
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                if (i == start + 1) throw new ExpressionException($"'$' at column {start + 1} must be followed by a register name", start + 1);
                tokens.Add(new Token(TokenKind.Register, text[(start + 1)..i], start));
                continue;
            }
            // After a member access, digits name a tuple field ("t.0", "pair.1.0"): they are one integer each, not a float.
            bool fieldName = tokens.Count > 0 && tokens[^1].Is(".");
            if (char.IsDigit(c) && fieldName)
            {
                while (i < text.Length && char.IsDigit(text[i])) i++;
                tokens.Add(new Token(TokenKind.Integer, text[start..i], start) { IntegerValue = ulong.TryParse(text.AsSpan(start, i - start), out var field) ? field : 0 });
                continue;
            }
            bool afterOperand = tokens.Count > 0 && (tokens[^1].Kind is TokenKind.Identifier or TokenKind.Register || tokens[^1].Is(")") || tokens[^1].Is("]"));
            if (char.IsDigit(c) || (c == '.' && !afterOperand && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                tokens.Add(Number(text, ref i));
                continue;
            }
            if (c == '\'')
            {
                i++;
                ulong value = ReadChar(text, ref i, '\'');
                if (i >= text.Length || text[i] != '\'')
                    throw new ExpressionException($"character literal at column {start + 1} is not closed", start + 1);
                i++;
                tokens.Add(new Token(TokenKind.Character, text[start..i], start) { IntegerValue = value });
                continue;
            }
            if (c == '"')
            {
                i++;
                var sb = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != '"') sb.Append((char)ReadChar(text, ref i, '"'));
                if (i >= text.Length) throw new ExpressionException($"string literal at column {start + 1} is not closed", start + 1);
                i++;
                tokens.Add(new Token(TokenKind.String, sb.ToString(), start));
                continue;
            }
            string? p = null;
            foreach (var candidate in Punctuators)
            {
                if (string.CompareOrdinal(text, i, candidate, 0, candidate.Length) == 0)
                {
                    p = candidate;
                    break;
                }
            }
            if (p is null)
                throw new ExpressionException($"unexpected character '{c}' at column {i + 1}", i + 1);
            tokens.Add(new Token(TokenKind.Punctuator, p, i));
            i += p.Length;
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length));
        return tokens;
    }

    private static Token Number(string text, ref int i)
    {
        int start = i;
        bool hex = text[i] == '0' && i + 1 < text.Length && (text[i + 1] is 'x' or 'X');
        bool bin = text[i] == '0' && i + 1 < text.Length && (text[i + 1] is 'b' or 'B');
        if (hex || bin) i += 2;
        bool isFloat = false;
        while (i < text.Length)
        {
            char ch = text[i];
            if (hex ? Uri.IsHexDigit(ch) : char.IsDigit(ch)) i++;
            else if (!hex && !bin && ch == '.') { isFloat = true; i++; }
            else if (!hex && !bin && (ch is 'e' or 'E') && i + 1 < text.Length && (char.IsDigit(text[i + 1]) || text[i + 1] is '+' or '-')) { isFloat = true; i += 2; }
            else break;
        }
        string digits = text[start..i];
        if (isFloat)
        {
            if (i < text.Length && text[i] is 'f' or 'F') i++;
            if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                throw new ExpressionException($"malformed number '{digits}' at column {start + 1}", start + 1);
            return new Token(TokenKind.Float, text[start..i], start) { FloatValue = d };
        }
        bool unsigned = false, isLong = false;
        while (i < text.Length && text[i] is 'u' or 'U' or 'l' or 'L')
        {
            if (text[i] is 'u' or 'U') unsigned = true; else isLong = true;
            i++;
        }
        if (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
            throw new ExpressionException($"malformed number '{text[start..(i + 1)]}' at column {start + 1}", start + 1);
        ulong value;
        try
        {
            if (hex) value = ulong.Parse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            else if (bin) value = Convert.ToUInt64(digits[2..], 2);
            else if (digits.Length > 1 && digits[0] == '0') value = Convert.ToUInt64(digits, 8);
            else value = ulong.Parse(digits, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new ExpressionException($"malformed or too large number '{digits}' at column {start + 1}", start + 1);
        }
        return new Token(TokenKind.Integer, text[start..i], start) { IntegerValue = value, IsUnsigned = unsigned, IsLong = isLong };
    }

    private static ulong ReadChar(string text, ref int i, char quote)
    {
        if (i >= text.Length) throw new ExpressionException($"literal at column {i} is not closed", i);
        char c = text[i++];
        if (c != '\\') return c;
        if (i >= text.Length) throw new ExpressionException($"escape at column {i} is not finished", i);
        char e = text[i++];
        switch (e)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case '0': return 0;
            case 'a': return '\a';
            case 'b': return '\b';
            case 'f': return '\f';
            case 'v': return '\v';
            case '\\': return '\\';
            case '\'': return '\'';
            case '"': return '"';
            case 'x':
                {
                    int s = i;
                    while (i < text.Length && i - s < 2 && Uri.IsHexDigit(text[i])) i++;
                    if (i == s) throw new ExpressionException($"'\\x' at column {s - 1} needs hex digits", s - 1);
                    return ulong.Parse(text.AsSpan(s, i - s), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                }
            default:
                throw new ExpressionException($"unknown escape '\\{e}' at column {i - 1}", i - 1);
        }
    }
}
