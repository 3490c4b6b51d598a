using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Expressions;

/// <summary>Parses the debugger's expression language: a C subset over the names in scope, with register, tuple-field
/// and format suffix extensions.</summary>
/// <remarks>
/// Grammar (C precedence): assignment <c>= += -= *= /= %= &lt;&lt;= &gt;&gt;= &amp;= |= ^=</c> (right to left), <c>a || b</c>,
/// <c>&amp;&amp;</c>, <c>|</c>, <c>^</c>, <c>&amp;</c>, <c>== !=</c>, <c>&lt; &gt; &lt;= &gt;=</c>, <c>&lt;&lt; &gt;&gt;</c>, <c>+ -</c>,
/// <c>* / %</c>, prefix <c>* &amp; - + ! ~</c>, casts <c>(T*)x</c>, <c>sizeof</c>, postfix <c>. -&gt; [] ()</c> (a member may be
/// a tuple field number: <c>t.0</c>), then names, <c>$registers</c>, number, character and string literals. A trailing
/// <c>,x</c> (x d u o b c s) picks the format. Increments and the conditional operator are rejected with a sentence
/// saying so.
/// </remarks>
public sealed class Parser
{
    private const int MaxDepth = 200;
    private readonly List<Token> _tokens;
    private readonly Func<string, bool> _isTypeName;
    private int _index;
    private int _depth;

    private Parser(List<Token> tokens, Func<string, bool> isTypeName)
    {
        _tokens = tokens;
        _isTypeName = isTypeName;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="isTypeName"/> tells a parenthesized type (a cast) from a parenthesized expression.</summary>
    /// <exception cref="ExpressionException">The text is not an expression of the language.</exception>
    public static ParsedExpression Parse(string text, Func<string, bool>? isTypeName = null)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ExpressionException("expression is empty");
        var parser = new Parser(Lexer.Tokenize(text), isTypeName ?? (_ => false));
        var root = parser.ParseExpression();
        var format = ValueFormat.Natural;
        if (parser.Current.Is(","))
        {
            parser._index++;
            var f = parser.Current;
            if (f.Kind != TokenKind.Identifier)
                throw new ExpressionException($"expected a format letter (x, d, u, o, b, c, s) after ',' at column {f.Position + 1}", f.Position + 1);
            format = f.Text switch
            {
                "x" or "h" or "X" => ValueFormat.Hex,
                "d" or "i" => ValueFormat.Decimal,
                "u" => ValueFormat.Unsigned,
                "o" => ValueFormat.Octal,
                "b" => ValueFormat.Binary,
                "c" => ValueFormat.Character,
                "s" => ValueFormat.String,
                _ => throw new ExpressionException($"unknown format suffix ',{f.Text}' (use x, d, u, o, b, c or s)", f.Position + 1),
            };
            parser._index++;
        }
        parser.Expect(TokenKind.End);
        return new ParsedExpression(root, format, text);
    }

    private Token Current => _tokens[_index];

    private Token Peek(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++];

    private void Expect(TokenKind kind)
    {
        if (Current.Kind == kind) return;
        var t = Current;
        if (t.Is("++") || t.Is("--"))
            throw new ExpressionException($"'{t.Text}' at column {t.Position + 1} would change the program and is not supported", t.Position + 1);
        if (t.Is("?"))
            throw new ExpressionException($"the conditional operator '?:' at column {t.Position + 1} is not supported", t.Position + 1);
        throw new ExpressionException($"unexpected {t} at column {t.Position + 1}", t.Position + 1);
    }

    private void ExpectPunctuator(string p)
    {
        if (!Current.Is(p))
            throw new ExpressionException($"expected '{p}' but found {Current} at column {Current.Position + 1}", Current.Position + 1);
        _index++;
    }

    private SyntaxNode ParseExpression()
    {
        if (++_depth > MaxDepth) throw new ExpressionException($"expression nests deeper than {MaxDepth} levels");
        try
        {
            var target = ParseBinary(0);
            if (Current.Kind == TokenKind.Punctuator && AssignmentOperators.Contains(Current.Text))
            {
                var op = Advance();
                // Assignment binds right to left: a = b = 1 assigns 1 to b, then b's new value to a.
                var value = ParseExpression();
                return new AssignNode(op.Text == "=" ? null : op.Text[..^1], target, value, op.Position);
            }
            return target;
        }
        finally
        {
            _depth--;
        }
    }

    private static readonly HashSet<string> AssignmentOperators = ["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^="];

    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"],
    ];

    private SyntaxNode ParseBinary(int level)
    {
        if (level == Levels.Length) return ParseUnary();
        var left = ParseBinary(level + 1);
        while (Current.Kind == TokenKind.Punctuator && Array.IndexOf(Levels[level], Current.Text) >= 0)
        {
            var op = Advance();
            var right = ParseBinary(level + 1);
            left = new BinaryNode(op.Text, left, right, op.Position);
        }
        return left;
    }

    private SyntaxNode ParseUnary()
    {
        if (++_depth > MaxDepth) throw new ExpressionException($"expression nests deeper than {MaxDepth} levels");
        try
        {
            var t = Current;
            if (t.Kind == TokenKind.Punctuator && t.Text is "*" or "&" or "-" or "+" or "!" or "~")
            {
                _index++;
                return new UnaryNode(t.Text, ParseUnary(), t.Position);
            }
            if (t.Is("++") || t.Is("--"))
                throw new ExpressionException($"'{t.Text}' at column {t.Position + 1} would change the program and is not supported", t.Position + 1);
            if (t.Kind == TokenKind.Identifier && t.Text == "sizeof")
            {
                _index++;
                if (Current.Is("(") && LooksLikeType(1))
                {
                    _index++;
                    var type = ParseTypeName();
                    ExpectPunctuator(")");
                    return new SizeOfNode(type, null, t.Position);
                }
                return new SizeOfNode(null, ParseUnary(), t.Position);
            }
            if (t.Is("(") && LooksLikeType(1))
            {
                _index++;
                var type = ParseTypeName();
                ExpectPunctuator(")");
                return new CastNode(type, ParseUnary(), t.Position);
            }
            return ParsePostfix();
        }
        finally
        {
            _depth--;
        }
    }

    private bool LooksLikeType(int ahead)
    {
        var t = Peek(ahead);
        if (t.Kind != TokenKind.Identifier) return false;
        if (t.Text is "const" or "volatile" or "struct" or "class" or "union" or "enum" || BuiltinTypes.Keywords.Contains(t.Text)) return true;
        return _isTypeName(t.Text);
    }

    private TypeName ParseTypeName()
    {
        bool isConst = false;
        var words = new List<string>();
        while (Current.Kind == TokenKind.Identifier)
        {
            var w = Current.Text;
            if (w is "const" or "volatile")
            {
                isConst |= w == "const";
                _index++;
                continue;
            }
            if (w is "struct" or "class" or "union" or "enum")
            {
                _index++;
                continue;
            }
            // Built-in type names are several words ("unsigned long long"); a user type name is one.
            if (words.Count > 0 && !(BuiltinTypes.Keywords.Contains(w) && BuiltinTypes.Keywords.Contains(words[^1]))) break;
            words.Add(w);
            _index++;
        }
        if (words.Count == 0)
            throw new ExpressionException($"expected a type name at column {Current.Position + 1}", Current.Position + 1);
        int depth = 0;
        while (Current.Is("*") || (Current.Kind == TokenKind.Identifier && Current.Text == "const"))
        {
            if (Current.Is("*")) depth++;
            _index++;
        }
        if (Current.Is("&") || Current.Is("&&"))
            throw new ExpressionException($"casts to reference types at column {Current.Position + 1} are not supported; cast to a pointer and dereference", Current.Position + 1);
        return new TypeName(string.Join(' ', words), depth, isConst);
    }

    private SyntaxNode ParsePostfix()
    {
        var node = ParsePrimary();
        while (true)
        {
            var t = Current;
            if (t.Is(".") || t.Is("->"))
            {
                _index++;
                var name = Current;
                if (name.Kind is not (TokenKind.Identifier or TokenKind.Integer))
                    throw new ExpressionException($"expected a member name after '{t.Text}' at column {name.Position + 1}", name.Position + 1);
                _index++;
                node = new MemberNode(node, name.Text, t.Text == "->", t.Position);
            }
            else if (t.Is("["))
            {
                _index++;
                var index = ParseExpression();
                ExpectPunctuator("]");
                node = new IndexNode(node, index, t.Position);
            }
            else if (t.Is("("))
            {
                _index++;
                var arguments = new List<SyntaxNode>();
                if (!Current.Is(")"))
                {
                    while (true)
                    {
                        arguments.Add(ParseExpression());
                        if (!Current.Is(",")) break;
                        _index++;
                    }
                }
                ExpectPunctuator(")");
                node = new CallNode(node, arguments, t.Position);
            }
            else
            {
                return node;
            }
        }
    }

    private SyntaxNode ParsePrimary()
    {
        var t = Advance();
        switch (t.Kind)
        {
            case TokenKind.Identifier:
                if (t.Text is "true" or "false") return new IntegerLiteralNode(t.Text == "true" ? 1UL : 0UL, false, false, false, t.Position);
                if (t.Text is "nullptr" or "NULL") return new IntegerLiteralNode(0, false, true, false, t.Position);
                return new IdentifierNode(t.Text, t.Position);
            case TokenKind.Register:
                return new RegisterNode(t.Text, t.Position);
            case TokenKind.Integer:
                return new IntegerLiteralNode(t.IntegerValue, t.IsUnsigned, t.IsLong, false, t.Position);
            case TokenKind.Character:
                return new IntegerLiteralNode(t.IntegerValue, false, false, true, t.Position);
            case TokenKind.Float:
                return new FloatLiteralNode(t.FloatValue, t.Position);
            case TokenKind.String:
                return new StringLiteralNode(t.Text, t.Position);
            case TokenKind.Punctuator when t.Text == "(":
                {
                    var inner = ParseExpression();
                    ExpectPunctuator(")");
                    return inner;
                }
            case TokenKind.End:
                throw new ExpressionException("expression ends where a value was expected", t.Position + 1);
            default:
                throw new ExpressionException($"unexpected {t} at column {t.Position + 1}: expected a name, a number or '('", t.Position + 1);
        }
    }
}
