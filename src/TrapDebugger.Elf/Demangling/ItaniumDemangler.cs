using System.Globalization;
using System.Text;

namespace TrapDebugger.Elf.Demangling;

/// <summary>A recursive-descent parser for Itanium C++ ABI mangled names (the "_Z" grammar), printing as llvm-cxxfilt does.</summary>
/// <remarks>Any grammar violation makes <see cref="TryDemangle"/> return null; recursion and node counts are bounded.</remarks>
internal sealed class ItaniumDemangler
{
    private const int MaxDepth = 200;
    private const int MaxNodes = 100_000;

    private readonly string _s;
    private int _pos;
    private int _depth;
    private int _nodes;
    private readonly List<Node> _subs = [];
    private List<Node> _templateParams = [];
    private readonly List<TemplateParamReference> _forwardRefs = [];
    private bool _permitForwardRefs;
    private int _inParamDecl;
    private int _inLambdaParams;
    // Inside a constraint (a requires-clause, a constrained parameter's concept): llvm-cxxfilt cannot tell which
    // enclosing list a template parameter names there, so it prints the parameter as mangled ("T", "T0", "TL0_").
    private int _inConstraint;

    private sealed class NameState
    {
        public string Cv = "";
        public string Ref = "";
        public bool EndsWithTemplateArgs;
        public bool CtorDtorConversion;
    }

    private sealed class DemangleFailure : Exception;

    private ItaniumDemangler(string s) => _s = s;

    /// <summary>Demangles <paramref name="mangled"/> (starting with "_Z"), or returns null when it is not a valid name.</summary>
    public static string? TryDemangle(string mangled)
    {
        var d = new ItaniumDemangler(mangled);
        try
        {
            if (!d.Consume("_Z")) return null;
            var encoding = d.ParseEncoding();
            if (d._pos < d._s.Length && d.Peek() == '.')
            {
                encoding = new DotSuffix(encoding, d._s[d._pos..]);
                d._pos = d._s.Length;
            }
            if (d._pos != d._s.Length) return null;
            return encoding.ToString();
        }
        catch (DemangleFailure)
        {
            return null;
        }
        catch (InsufficientExecutionStackException)
        {
            return null;
        }
        catch (DemanglePrintException)
        {
            return null;
        }
    }

    /// <summary>Demangles a bare type ("i", "PKc"), as llvm-cxxfilt does for inputs without "_Z".</summary>
    public static string? TryDemangleType(string mangled)
    {
        var d = new ItaniumDemangler(mangled);
        try
        {
            var t = d.ParseType();
            return d._pos == d._s.Length ? t.ToString() : null;
        }
        catch (DemangleFailure)
        {
            return null;
        }
    }

    private static DemangleFailure Fail() => new();

    private char Peek(int ahead = 0) => _pos + ahead < _s.Length ? _s[_pos + ahead] : '\0';

    private bool AtEnd => _pos >= _s.Length;

    private bool Consume(char c)
    {
        if (Peek() != c) return false;
        _pos++;
        return true;
    }

    private bool Consume(string prefix)
    {
        if (string.CompareOrdinal(_s, _pos, prefix, 0, prefix.Length) != 0) return false;
        _pos += prefix.Length;
        return true;
    }

    private void Expect(char c)
    {
        if (!Consume(c)) throw Fail();
    }

    private T Track<T>(T node) where T : Node
    {
        if (++_nodes > MaxNodes) throw Fail();
        return node;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw Fail();
        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    private void Leave() => _depth--;

    private static class RuntimeHelpers
    {
        public static void EnsureSufficientExecutionStack() => System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    // <number> ::= [n] <decimal>
    private string ParseNumber(bool allowNegative = false)
    {
        int start = _pos;
        if (allowNegative) Consume('n');
        int digits = _pos;
        while (char.IsAsciiDigit(Peek())) _pos++;
        if (_pos == digits) throw Fail();
        return _s[start.._pos];
    }

    private int ParsePositive()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek())) _pos++;
        if (_pos == start || _pos - start > 9) throw Fail();
        return int.Parse(_s.AsSpan(start, _pos - start), CultureInfo.InvariantCulture);
    }

    // <seq-id> in base 36, followed by '_'
    private int ParseSeqId()
    {
        if (Consume('_')) return 0;
        long v = 0;
        while (char.IsAsciiDigit(Peek()) || char.IsAsciiLetterUpper(Peek()))
        {
            char c = _s[_pos++];
            v = v * 36 + (char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10);
            if (v > int.MaxValue) throw Fail();
        }
        Expect('_');
        return (int)v + 1;
    }

    private Node ParseEncoding()
    {
        Enter();
        try
        {
            if (Peek() is 'T' || (Peek() == 'G' && Peek(1) is 'V' or 'R' or 'A'))
                return ParseSpecialName();

            // The template parameters of an encoding are unrelated to those of the enclosing context.
            var savedParams = _templateParams;
            try
            {
            var state = new NameState();
            var name = ParseName(state);
            if (AtEnd || Peek() is 'E' or '.')
                return name;

            if (Consume("Ua9enable_ifI"))
            {
                var conditions = new List<Node>();
                while (!Consume('E')) conditions.Add(ParseTemplateArg());
                var inner = ParseFunctionRest(name, state);
                return Track(new EnableIfAttribute(inner, conditions));
            }
            return ParseFunctionRest(name, state);
            }
            finally
            {
                _templateParams = savedParams;
            }
        }
        finally
        {
            Leave();
        }
    }

    private Node ParseFunctionRest(Node name, NameState state)
    {
        ResolveForwardReferences();
        Node? ret = null;
        if (state.EndsWithTemplateArgs && !state.CtorDtorConversion)
            ret = ParseType();
        var parameters = new List<Node>();
        if (!Consume('v'))
        {
            while (!AtEnd && Peek() is not ('E' or '.' or 'Q'))
                parameters.Add(ParseType());
            if (parameters.Count == 0) throw Fail();
        }
        Node? requires = null;
        if (Consume('Q')) requires = ParseConstraint();
        return Track(new FunctionEncoding(ret, name, parameters, state.Cv, state.Ref, requires));
    }

    private void ResolveForwardReferences()
    {
        foreach (var r in _forwardRefs)
        {
            if (r.Target != null) continue;
            if (r.Index >= _templateParams.Count) throw Fail();
            r.Target = _templateParams[r.Index];
        }
        _forwardRefs.Clear();
    }

    private Node ParseSpecialName()
    {
        if (Consume("TV")) return new SpecialName("vtable for ", ParseType());
        if (Consume("TT")) return new SpecialName("VTT for ", ParseType());
        if (Consume("TI")) return new SpecialName("typeinfo for ", ParseType());
        if (Consume("TS")) return new SpecialName("typeinfo name for ", ParseType());
        if (Consume("Th"))
        {
            ParseNumber(true);
            Expect('_');
            return new SpecialName("non-virtual thunk to ", ParseEncoding());
        }
        if (Consume("Tv"))
        {
            ParseNumber(true);
            Expect('_');
            ParseNumber(true);
            Expect('_');
            return new SpecialName("virtual thunk to ", ParseEncoding());
        }
        if (Consume("Tc"))
        {
            ParseCallOffset();
            ParseCallOffset();
            return new SpecialName("covariant return thunk to ", ParseEncoding());
        }
        if (Consume("TC"))
        {
            var first = ParseType();
            ParseNumber(true);
            Expect('_');
            var second = ParseType();
            return new CtorVtableName(second, first);
        }
        if (Consume("TW")) return new SpecialName("thread-local wrapper routine for ", ParseName(null));
        if (Consume("TH")) return new SpecialName("thread-local initialization routine for ", ParseName(null));
        if (Consume("TA")) return new SpecialName("template parameter object for ", ParseTemplateArg());
        if (Consume("GV")) return new SpecialName("guard variable for ", ParseName(null));
        if (Consume("GR"))
        {
            var name = ParseName(null);
            if (!Consume('_'))
            {
                ParseSeqId();
            }
            return new SpecialName("reference temporary for ", name);
        }
        if (Consume("GA")) return new SpecialName("hidden alias for ", ParseEncoding());
        throw Fail();
    }

    private void ParseCallOffset()
    {
        if (Consume('h'))
        {
            ParseNumber(true);
            Expect('_');
        }
        else if (Consume('v'))
        {
            ParseNumber(true);
            Expect('_');
            ParseNumber(true);
            Expect('_');
        }
        else throw Fail();
    }

    private Node ParseName(NameState? state)
    {
        Enter();
        try
        {
            if (Peek() == 'N') return ParseNestedName(state);
            if (Peek() == 'Z') return ParseLocalName(state);

            Node name;
            if (Peek() == 'S' && Peek(1) != 't')
            {
                name = ParseSubstitution();
                if (Peek() != 'I') return name;
            }
            else
            {
                bool std = Consume("St");
                name = ParseUnqualifiedName(state);
                if (std) name = Track(new StdName(name));
                if (Peek() != 'I') return name;
                _subs.Add(name);
            }
            var args = ParseTemplateArgs(state != null);
            if (state != null) state.EndsWithTemplateArgs = true;
            return Track(new NameWithTemplateArgs(name, args));
        }
        finally
        {
            Leave();
        }
    }

    private Node ParseLocalName(NameState? state)
    {
        Expect('Z');
        var encoding = ParseEncoding();
        Expect('E');
        if (Consume('s'))
        {
            ParseDiscriminator();
            return Track(new LocalName(encoding, new NameNode("string literal")));
        }
        if (Consume('d'))
        {
            string n = Peek() == '_' ? "" : ParseNumber();
            Expect('_');
            var inner = ParseName(state);
            int index = n.Length == 0 ? 0 : int.Parse(n, CultureInfo.InvariantCulture) + 1;
            return Track(new LocalName(encoding, new NestedName(new NameNode($"{{default arg#{index + 1}}}"), inner)));
        }
        var entity = ParseName(state);
        ParseDiscriminator();
        return Track(new LocalName(encoding, entity));
    }

    private void ParseDiscriminator()
    {
        if (Peek() != '_') return;
        if (char.IsAsciiDigit(Peek(1)))
        {
            _pos += 2;
        }
        else if (Peek(1) == '_')
        {
            int save = _pos;
            _pos += 2;
            while (char.IsAsciiDigit(Peek())) _pos++;
            if (!Consume('_')) _pos = save;
        }
    }

    private Node ParseNestedName(NameState? state)
    {
        Expect('N');
        string cv = ParseCvQualifiers();
        if (state != null) state.Cv = cv;
        if (Consume('O')) { if (state != null) state.Ref = " &&"; }
        else if (Consume('R')) { if (state != null) state.Ref = " &"; }

        Node? soFar = null;
        bool std = false;
        while (!Consume('E'))
        {
            if (AtEnd) throw Fail();
            if (state != null) state.EndsWithTemplateArgs = false;
            char c = Peek();
            if (c == 'S' && Peek(1) == 't' && soFar == null && !std)
            {
                _pos += 2;
                std = true;
                continue;
            }
            if (c == 'S')
            {
                if (soFar != null) throw Fail();
                soFar = ParseSubstitution();
                continue;
            }
            if (c == 'I')
            {
                if (soFar == null) throw Fail();
                var args = ParseTemplateArgs(state != null);
                soFar = Track(new NameWithTemplateArgs(soFar, args));
                if (state != null) state.EndsWithTemplateArgs = true;
            }
            else if (c == 'T')
            {
                if (soFar != null) throw Fail();
                soFar = ParseTemplateParam();
            }
            else if (c == 'D' && Peek(1) is 't' or 'T')
            {
                if (soFar != null) throw Fail();
                soFar = ParseDecltype();
            }
            else if ((c == 'C' && Peek(1) != 'I' || c == 'C' && Peek(1) == 'I') && soFar != null && Peek(1) is '1' or '2' or '3' or '4' or '5' or 'I'
                || c == 'D' && Peek(1) is '0' or '1' or '2' or '4' or '5')
            {
                if (soFar == null) throw Fail();
                if (soFar is SpecialSubstitution special) soFar = special.Expanded();
                bool dtor = c == 'D';
                _pos++;
                if (!dtor && Consume('I'))
                {
                    _pos++; // the constructor kind digit
                    ParseType();
                }
                else _pos++;
                Node ctor = Track(new CtorDtorName(soFar, dtor));
                ctor = ParseAbiTags(ctor);
                if (state != null) state.CtorDtorConversion = true;
                soFar = Track(new NestedName(soFar, ctor));
            }
            else if (c == 'M')
            {
                if (soFar == null) throw Fail();
                _pos++;
                continue;
            }
            else
            {
                var component = ParseUnqualifiedName(state);
                if (soFar != null) soFar = Track(new NestedName(soFar, component));
                else soFar = std ? Track(new StdName(component)) : component;
            }
            _subs.Add(soFar);
        }
        if (soFar == null || _subs.Count == 0) throw Fail();
        _subs.RemoveAt(_subs.Count - 1);
        return soFar;
    }

    private string ParseCvQualifiers()
    {
        var sb = new StringBuilder();
        bool r = Consume('r'), v = Consume('V'), k = Consume('K');
        if (k) sb.Append(" const");
        if (v) sb.Append(" volatile");
        if (r) sb.Append(" restrict");
        return sb.ToString();
    }

    private Node ParseUnqualifiedName(NameState? state)
    {
        Node name;
        char c = Peek();
        Consume('L');
        c = Peek();
        if (char.IsAsciiDigit(c))
            name = ParseSourceName();
        else if (c == 'U')
            name = ParseUnnamedTypeName();
        else if (c == 'D' && Peek(1) == 'C')
        {
            _pos += 2;
            var parts = new List<string>();
            while (!Consume('E')) parts.Add(ParseSourceName().BaseName);
            name = new NameNode("[" + string.Join(", ", parts) + "]");
        }
        else if (char.IsAsciiLetterLower(c))
            name = ParseOperatorName(state);
        else
            throw Fail();
        return ParseAbiTags(name);
    }

    private Node ParseAbiTags(Node name)
    {
        while (Consume('B'))
        {
            int length = ParsePositive();
            if (length > _s.Length - _pos) throw Fail();
            name = Track(new AbiTagged(name, _s.Substring(_pos, length)));
            _pos += length;
        }
        return name;
    }

    private Node ParseSourceName()
    {
        int length = ParsePositive();
        if (length == 0 || length > _s.Length - _pos) throw Fail();
        string id = _s.Substring(_pos, length);
        _pos += length;
        if (id.StartsWith("_GLOBAL__N", StringComparison.Ordinal))
            return Track(new NameNode("(anonymous namespace)"));
        return Track(new NameNode(id));
    }

    private Node ParseUnnamedTypeName()
    {
        if (Consume("Ut"))
        {
            string count = Peek() == '_' ? "" : ParseNumber();
            Expect('_');
            return Track(new NameNode($"'unnamed{count}'"));
        }
        if (Consume("Ul"))
        {
            var templateParams = new List<Node>();
            while (Peek() == 'T' && Peek(1) is 'y' or 'n' or 't' or 'p')
            {
                _pos += 2;
                templateParams.Add(new NameNode("auto"));
            }
            var parameters = new List<Node>();
            _inLambdaParams++;
            try
            {
                if (!Consume('v'))
                {
                    while (Peek() != 'E')
                    {
                        if (AtEnd) throw Fail();
                        parameters.Add(ParseType());
                    }
                }
            }
            finally
            {
                _inLambdaParams--;
            }
            Expect('E');
            string count = Peek() == '_' ? "" : ParseNumber();
            Expect('_');
            return Track(new ClosureTypeName([], parameters, count));
        }
        throw Fail();
    }

    private static readonly Dictionary<string, string> Operators = new()
    {
        ["nw"] = "new", ["na"] = "new[]", ["dl"] = "delete", ["da"] = "delete[]", ["ps"] = "+", ["ng"] = "-", ["ad"] = "&",
        ["de"] = "*", ["co"] = "~", ["pl"] = "+", ["mi"] = "-", ["ml"] = "*", ["dv"] = "/", ["rm"] = "%", ["an"] = "&",
        ["or"] = "|", ["eo"] = "^", ["aS"] = "=", ["pL"] = "+=", ["mI"] = "-=", ["mL"] = "*=", ["dV"] = "/=", ["rM"] = "%=",
        ["aN"] = "&=", ["oR"] = "|=", ["eO"] = "^=", ["ls"] = "<<", ["rs"] = ">>", ["lS"] = "<<=", ["rS"] = ">>=", ["eq"] = "==",
        ["ne"] = "!=", ["lt"] = "<", ["gt"] = ">", ["le"] = "<=", ["ge"] = ">=", ["ss"] = "<=>", ["nt"] = "!", ["aa"] = "&&",
        ["oo"] = "||", ["pp"] = "++", ["mm"] = "--", ["cm"] = ",", ["pm"] = "->*", ["pt"] = "->", ["cl"] = "()", ["ix"] = "[]",
        ["qu"] = "?", ["aw"] = "co_await",
    };

    private Node ParseOperatorName(NameState? state)
    {
        if (_pos + 2 > _s.Length) throw Fail();
        string code = _s.Substring(_pos, 2);
        if (code == "cv")
        {
            _pos += 2;
            bool saved = _permitForwardRefs;
            _permitForwardRefs = true;
            var type = ParseType();
            _permitForwardRefs = saved;
            if (state != null) state.CtorDtorConversion = true;
            return Track(new CompositeNode(sb => { sb.Append("operator "); type.Print(sb); return true; }));
        }
        if (code == "li")
        {
            _pos += 2;
            var id = ParseSourceName();
            return Track(new NameNode("operator\"\" " + id.BaseName));
        }
        if (code[0] == 'v' && char.IsAsciiDigit(code[1]))
        {
            _pos += 2;
            var id = ParseSourceName();
            return Track(new NameNode("operator " + id.BaseName));
        }
        if (!Operators.TryGetValue(code, out var symbol)) throw Fail();
        _pos += 2;
        bool word = char.IsAsciiLetter(symbol[0]);
        return Track(new NameNode(word ? "operator " + symbol : "operator" + symbol));
    }

    private Node ParseSubstitution()
    {
        Expect('S');
        char c = Peek();
        if (char.IsAsciiLetterLower(c))
        {
            _pos++;
            return c switch
            {
                'a' or 'b' or 's' or 'i' or 'o' or 'd' => Track(new SpecialSubstitution(c, false)),
                _ => throw Fail(),
            };
        }
        int index = ParseSeqId();
        if (index >= _subs.Count) throw Fail();
        return _subs[index];
    }

    private TemplateArgs ParseTemplateArgs(bool tagTemplates)
    {
        Expect('I');
        List<Node>? outer = null;
        if (tagTemplates)
        {
            // Arguments refer to earlier arguments of the same list (T_ in a later argument's constraint).
            outer = [];
            _templateParams = outer;
        }
        var args = new List<Node>();
        while (!Consume('E'))
        {
            if (AtEnd) throw Fail();
            var arg = ParseTemplateArg();
            args.Add(arg);
            outer?.Add(arg);
            // A requires-clause ends the list; llvm-cxxfilt does not print it.
            if (Consume('Q'))
            {
                ParseConstraint();
                Expect('E');
                break;
            }
        }
        return Track(new TemplateArgs(args));
    }

    private Node ParseTemplateArg()
    {
        Enter();
        try
        {
            switch (Peek())
            {
                case 'X':
                    {
                        _pos++;
                        var e = ParseExpression();
                        Expect('E');
                        return e;
                    }
                case 'T' when Peek(1) is 'y' or 'n' or 'k' or 't' or 'p':
                    ParseTemplateParamDecl();
                    return ParseTemplateArg();
                case 'J':
                    {
                        _pos++;
                        var elements = new List<Node>();
                        while (!Consume('E'))
                        {
                            if (AtEnd) throw Fail();
                            elements.Add(ParseTemplateArg());
                        }
                        return Track(new TemplateArgumentPack(elements));
                    }
                case 'L':
                    if (Peek(1) == 'Z')
                    {
                        _pos += 2;
                        var enc = ParseEncoding();
                        Expect('E');
                        return enc;
                    }
                    return ParseExprPrimary();
                default:
                    return ParseType();
            }
        }
        finally
        {
            Leave();
        }
    }

    // <template-param-decl> ::= Ty | Tk <name> [<template-args>] | Tn <type> | Tt <template-param-decl>* E | Tp <template-param-decl>
    // The declaration only says what kind of parameter the following argument binds; llvm-cxxfilt prints the argument alone.
    private void ParseTemplateParamDecl()
    {
        _inParamDecl++;
        try
        {
            ParseTemplateParamDeclCore();
        }
        finally
        {
            _inParamDecl--;
        }
    }

    private void ParseTemplateParamDeclCore()
    {
        Expect('T');
        char kind = _s[_pos++];
        switch (kind)
        {
            case 'y': break;
            case 'k':
                _inConstraint++;
                try
                {
                    ParseName(null);
                }
                finally
                {
                    _inConstraint--;
                }
                break;
            case 'n': ParseType(); break;
            case 't':
                while (!Consume('E'))
                {
                    if (AtEnd) throw Fail();
                    ParseTemplateParamDecl();
                }
                break;
            case 'p': ParseTemplateParamDecl(); break;
            default: throw Fail();
        }
    }

    // <constraint-expression> after Q: an expression whose template parameters print as mangled.
    private Node ParseConstraint()
    {
        _inConstraint++;
        try
        {
            return ParseExpression();
        }
        finally
        {
            _inConstraint--;
        }
    }

    private Node ParseTemplateParam()
    {
        int start = _pos;
        Expect('T');
        // TL <level-1> _: a parameter of an enclosing list, which only a constraint names here.
        bool leveled = Consume('L');
        if (leveled)
        {
            ParsePositive();
            Expect('_');
        }
        if (_inConstraint > 0)
        {
            if (Peek() != '_') ParsePositive();
            Expect('_');
            return Track(new NameNode(_s[start..(_pos - 1)]));
        }
        if (leveled) throw Fail();
        int index = Peek() == '_' ? 0 : ParsePositive() + 1;
        Expect('_');
        // A generic lambda's parameters name template parameters no argument list binds: they print as "auto".
        var reference = Track(new TemplateParamReference(index, _inLambdaParams > 0 && index >= _templateParams.Count ? "auto" : "T"));
        if (index < _templateParams.Count && !_permitForwardRefs)
            reference.Target = _templateParams[index];
        else if (_permitForwardRefs)
            _forwardRefs.Add(reference);
        else if (_inParamDecl == 0 && _inLambdaParams == 0)
            throw Fail(); // a parameter that no template argument list binds (a constraint may name the one it declares)
        return reference;
    }

    private Node ParseDecltype()
    {
        Expect('D');
        if (!Consume('t') && !Consume('T')) throw Fail();
        var e = ParseExpression();
        Expect('E');
        return Track(new CompositeNode(sb => { sb.Append("decltype("); e.Print(sb); sb.Append(')'); return true; }));
    }

    private static readonly Dictionary<char, string> Builtins = new()
    {
        ['v'] = "void", ['w'] = "wchar_t", ['b'] = "bool", ['c'] = "char", ['a'] = "signed char", ['h'] = "unsigned char",
        ['s'] = "short", ['t'] = "unsigned short", ['i'] = "int", ['j'] = "unsigned int", ['l'] = "long", ['m'] = "unsigned long",
        ['x'] = "long long", ['y'] = "unsigned long long", ['n'] = "__int128", ['o'] = "unsigned __int128", ['f'] = "float",
        ['d'] = "double", ['e'] = "long double", ['g'] = "__float128", ['z'] = "...",
    };

    private static readonly Dictionary<char, string> DBuiltins = new()
    {
        ['d'] = "decimal64", ['e'] = "decimal128", ['f'] = "decimal32", ['h'] = "half", ['i'] = "char32_t", ['s'] = "char16_t",
        ['u'] = "char8_t", ['a'] = "auto", ['c'] = "decltype(auto)", ['n'] = "std::nullptr_t",
    };

    private Node ParseType()
    {
        Enter();
        try
        {
            char c = Peek();
            if (Builtins.TryGetValue(c, out var builtin))
            {
                _pos++;
                return Track(new NameNode(builtin));
            }
            Node result;
            switch (c)
            {
                case 'u':
                    {
                        _pos++;
                        var name = ParseSourceName();
                        // A vendor type transform with one argument, as Clang mangles its builtins (u7__decayI…E), prints
                        // as a call: "__decay(int const*)", as llvm-cxxfilt does.
                        if (Peek() == 'I')
                        {
                            _pos++;
                            var argument = ParseType();
                            if (!Consume("E")) throw new DemangleFailure();
                            result = Track(new TransformedType(name, argument));
                        }
                        else result = name;
                        break;
                    }
                case 'r' or 'V' or 'K':
                    {
                        string q = ParseCvQualifiers();
                        var child = ParseType();
                        result = Track(new QualifiedType(child, q));
                        break;
                    }
                case 'U':
                    {
                        _pos++;
                        var qualifier = ParseSourceName().BaseName;
                        TemplateArgs? args = Peek() == 'I' ? ParseTemplateArgs(false) : null;
                        var child = ParseType();
                        result = Track(new VendorQualifiedType(child, qualifier, args));
                        break;
                    }
                case 'F':
                    result = ParseFunctionType("");
                    break;
                case 'D':
                    {
                        char d = Peek(1);
                        if (d is 'o' or 'O' or 'w' or 'x' && Peek(2) is 'F' or 'T' or 'X' or '_' || d is 'x' && Peek(2) == 'F')
                        {
                            result = ParseExceptionSpecThenFunction();
                            break;
                        }
                        if (DBuiltins.TryGetValue(d, out var dname) && d != 'T')
                        {
                            _pos += 2;
                            return Track(new NameNode(dname));
                        }
                        if (d == 'p')
                        {
                            _pos += 2;
                            result = Track(new PackExpansion(ParseType()));
                            break;
                        }
                        if (d is 'k' or 'K')
                        {
                            // A placeholder constrained by a concept: "std::integral auto", "C decltype(auto)".
                            _pos += 2;
                            string placeholder = d == 'k' ? " auto" : " decltype(auto)";
                            var concept = ParseName(null);
                            result = Track(new CompositeNode(sb => { concept.Print(sb); sb.Append(placeholder); return true; }));
                            break;
                        }
                        if (d is 't' or 'T')
                        {
                            result = ParseDecltype();
                            break;
                        }
                        if (d == 'F')
                        {
                            _pos += 2;
                            if (Consume("16b")) return Track(new NameNode("std::bfloat16_t"));
                            int bits = ParsePositive();
                            string suffix = Consume('x') ? "x" : "";
                            if (suffix.Length == 0) Expect('_');
                            return Track(new NameNode($"_Float{bits}{suffix}"));
                        }
                        if (d is 'B' or 'U')
                        {
                            _pos += 2;
                            string size = char.IsAsciiDigit(Peek()) ? ParseNumber() : ParseExpression().ToString();
                            Expect('_');
                            result = Track(new NameNode(d == 'U' ? $"unsigned _BitInt({size})" : $"_BitInt({size})"));
                            break;
                        }
                        if (d == 'v')
                        {
                            _pos += 2;
                            string dim;
                            if (char.IsAsciiDigit(Peek())) dim = ParseNumber();
                            else
                            {
                                Expect('_');
                                dim = ParseExpression().ToString();
                            }
                            Expect('_');
                            if (Consume('p')) { result = Track(new VectorType(new NameNode(""), dim, true)); break; }
                            result = Track(new VectorType(ParseType(), dim, false));
                            break;
                        }
                        throw Fail();
                    }
                case 'A':
                    {
                        _pos++;
                        string dim = "";
                        if (char.IsAsciiDigit(Peek())) dim = ParseNumber();
                        else if (Peek() != '_') dim = ParseExpression().ToString();
                        Expect('_');
                        result = Track(new ArrayType(ParseType(), dim));
                        break;
                    }
                case 'M':
                    {
                        _pos++;
                        var cls = ParseType();
                        var member = ParseType();
                        result = Track(new PointerToMemberType(cls, member));
                        break;
                    }
                case 'T':
                    {
                        if (Peek(1) is 's' or 'u' or 'e')
                        {
                            string kw = Peek(1) switch { 's' => "struct ", 'u' => "union ", _ => "enum " };
                            _pos += 2;
                            var name = ParseName(null);
                            result = Track(new CompositeNode(sb => { sb.Append(kw); name.Print(sb); return true; }));
                            break;
                        }
                        result = ParseTemplateParam();
                        if (Peek() == 'I' && !_permitForwardRefs)
                        {
                            _subs.Add(result);
                            result = Track(new NameWithTemplateArgs(result, ParseTemplateArgs(false)));
                        }
                        break;
                    }
                case 'P':
                    _pos++;
                    result = Track(new PointerType(ParseType()));
                    break;
                case 'R':
                    _pos++;
                    result = Track(new ReferenceType(ParseType(), false));
                    break;
                case 'O':
                    _pos++;
                    result = Track(new ReferenceType(ParseType(), true));
                    break;
                case 'C':
                    {
                        _pos++;
                        var child = ParseType();
                        result = Track(new CompositeNode(sb => { child.Print(sb); sb.Append(" complex"); return true; }));
                        break;
                    }
                case 'G':
                    {
                        _pos++;
                        var child = ParseType();
                        result = Track(new CompositeNode(sb => { child.Print(sb); sb.Append(" imaginary"); return true; }));
                        break;
                    }
                case 'S':
                    {
                        if (Peek(1) == 't')
                        {
                            result = ParseName(null);
                            break;
                        }
                        var sub = ParseSubstitution();
                        if (Peek() == 'I')
                        {
                            result = Track(new NameWithTemplateArgs(sub, ParseTemplateArgs(false)));
                            break;
                        }
                        return sub;
                    }
                default:
                    result = ParseName(null);
                    break;
            }
            _subs.Add(result);
            return result;
        }
        finally
        {
            Leave();
        }
    }

    private Node ParseExceptionSpecThenFunction()
    {
        string spec;
        if (Consume("Do")) spec = " noexcept";
        else if (Consume("DO"))
        {
            var e = ParseExpression();
            Expect('E');
            spec = " noexcept(" + e + ")";
        }
        else if (Consume("Dw"))
        {
            var types = new List<Node>();
            while (!Consume('E')) types.Add(ParseType());
            var sb = new StringBuilder(" throw(");
            TemplateArgs.PrintList(sb, types);
            spec = sb.Append(')').ToString();
        }
        else if (Consume("Dx")) spec = "";
        else throw Fail();
        return ParseFunctionType(spec);
    }

    private Node ParseFunctionType(string exceptionSpec)
    {
        string cv = ParseCvQualifiers();
        if (exceptionSpec.Length == 0 && Peek() == 'D') return ParseExceptionSpecThenFunction();
        Expect('F');
        Consume('Y');
        var ret = ParseType();
        var parameters = new List<Node>();
        string refQualifier = "";
        while (true)
        {
            if (Consume('E')) break;
            if (Consume('v')) continue;
            if (Peek() == 'R' && Peek(1) == 'E') { _pos++; refQualifier = " &"; continue; }
            if (Peek() == 'O' && Peek(1) == 'E') { _pos++; refQualifier = " &&"; continue; }
            if (AtEnd) throw Fail();
            parameters.Add(ParseType());
        }
        return Track(new FunctionType(ret, parameters, cv, refQualifier, exceptionSpec));
    }

    // <expr-primary> ::= L <type> <value> E | L <mangled-name> E
    private Node ParseExprPrimary()
    {
        Expect('L');
        if (Consume("_Z"))
        {
            var enc = ParseEncoding();
            Expect('E');
            return enc;
        }
        if (Consume("DnE")) return Track(new NameNode("nullptr"));
        var type = ParseType();
        int start = _pos;
        while (!AtEnd && Peek() != 'E') _pos++;
        string value = _s[start.._pos];
        Expect('E');
        if (value.Length == 0)
            return Track(new CompositeNode(sb => { type.Print(sb); return true; }));
        bool negative = value.StartsWith('n');
        string digits = negative ? "-" + value[1..] : value;
        string typeName = type.ToString();
        switch (typeName)
        {
            case "bool" when value is "0" or "1": return Track(new NameNode(value == "1" ? "true" : "false"));
            case "int": return Track(new NameNode(digits));
            case "unsigned int": return Track(new NameNode(digits + "u"));
            case "long": return Track(new NameNode(digits + "l"));
            case "unsigned long": return Track(new NameNode(digits + "ul"));
            case "long long": return Track(new NameNode(digits + "ll"));
            case "unsigned long long": return Track(new NameNode(digits + "ull"));
            case "float" when value.Length == 8: return Track(new NameNode(HexFloat.FormatFloat(value) + "f"));
            case "double" when value.Length == 16: return Track(new NameNode(HexFloat.FormatDouble(value)));
        }
        return Track(new CompositeNode(sb => { sb.Append('('); type.Print(sb); sb.Append(')').Append(digits); return true; }));
    }

    private Node ParseExpression()
    {
        Enter();
        try
        {
            return ParseExpressionCore();
        }
        finally
        {
            Leave();
        }
    }

    private static readonly HashSet<string> Unary = ["ps", "ng", "ad", "de", "co", "nt", "pp", "mm"];

    private Node ParseExpressionCore()
    {
        char c = Peek();
        if (c == 'L') return ParseExprPrimary();
        if (c == 'T') return ParseTemplateParam();
        if (Consume("fp"))
        {
            ParseCvQualifiers();
            string n = Peek() == '_' ? "" : ParseNumber();
            Expect('_');
            return Track(new NameNode("fp" + n));
        }
        if (Consume("fL"))
        {
            ParseNumber();
            Expect('p');
            ParseCvQualifiers();
            string n = Peek() == '_' ? "" : ParseNumber();
            Expect('_');
            return Track(new NameNode("fp" + n));
        }
        if (Consume("sZ"))
        {
            var p = Peek() == 'T' ? ParseTemplateParam() : ParseExpression();
            return Composite("sizeof...(", p, ")");
        }
        if (Peek() == 'r' && Peek(1) is 'q' or 'Q') return ParseRequiresExpression();
        if (Consume("st")) return Composite("sizeof (", ParseType(), ")");
        if (Consume("sz")) return Composite("sizeof (", ParseExpression(), ")");
        if (Consume("at")) return Composite("alignof (", ParseType(), ")");
        if (Consume("az")) return Composite("alignof (", ParseExpression(), ")");
        if (Consume("nx")) return Composite("noexcept (", ParseExpression(), ")");
        if (Consume("sp")) return Track(new PackExpansion(ParseExpression()));
        if (Consume("tw")) return Composite("throw ", ParseExpression(), "");
        if (Consume("tr")) return Track(new NameNode("throw"));
        if (Consume("cl"))
        {
            var callee = ParseExpression();
            var args = new List<Node>();
            while (!Consume('E'))
            {
                if (AtEnd) throw Fail();
                args.Add(ParseExpression());
            }
            return Track(new CompositeNode(sb => { callee.Print(sb); sb.Append('('); TemplateArgs.PrintList(sb, args); sb.Append(')'); return true; }));
        }
        if (Consume("cv"))
        {
            var type = ParseType();
            var args = new List<Node>();
            if (Consume('_'))
            {
                while (!Consume('E')) { if (AtEnd) throw Fail(); args.Add(ParseExpression()); }
            }
            else args.Add(ParseExpression());
            return Track(new CompositeNode(sb => { sb.Append('('); type.Print(sb); sb.Append(")("); TemplateArgs.PrintList(sb, args); sb.Append(')'); return true; }));
        }
        if (Peek() is 'd' or 'p' && Peek(1) == 't')
        {
            string op = Peek() == 'd' ? "." : "->";
            _pos += 2;
            var lhs = ParseExpression();
            var rhs = ParseExpression();
            return Track(new CompositeNode(sb => { lhs.Print(sb); sb.Append(op); rhs.Print(sb); return true; }));
        }
        if (Consume("gs"))
        {
            var inner = ParseExpression();
            return Composite("::", inner, "");
        }
        if (Peek() == 'n' && Peek(1) is 'w' or 'a')
        {
            bool array = Peek(1) == 'a';
            _pos += 2;
            var placement = new List<Node>();
            while (!Consume('_'))
            {
                if (AtEnd) throw Fail();
                placement.Add(ParseExpression());
            }
            var type = ParseType();
            List<Node>? init = null;
            if (Consume("pi"))
            {
                init = [];
                while (!Consume('E'))
                {
                    if (AtEnd) throw Fail();
                    init.Add(ParseExpression());
                }
            }
            else Expect('E');
            return Track(new CompositeNode(sb =>
            {
                sb.Append(array ? "new[]" : "new");
                if (placement.Count > 0) { sb.Append('('); TemplateArgs.PrintList(sb, placement); sb.Append(')'); }
                sb.Append(' ');
                type.Print(sb);
                if (init != null) { sb.Append('('); TemplateArgs.PrintList(sb, init); sb.Append(')'); }
                return true;
            }));
        }
        if (Consume("sr"))
        {
            Node qualifier;
            if (Consume('N'))
            {
                qualifier = ParseType();
                if (Peek() == 'I') qualifier = Track(new NameWithTemplateArgs(qualifier, ParseTemplateArgs(false)));
                while (!Consume('E'))
                {
                    if (AtEnd) throw Fail();
                    qualifier = Track(new NestedName(qualifier, ParseSimpleId()));
                }
            }
            else if (char.IsAsciiDigit(Peek()))
            {
                qualifier = ParseSimpleId();
                while (!Consume('E'))
                {
                    if (AtEnd) throw Fail();
                    qualifier = Track(new NestedName(qualifier, ParseSimpleId()));
                }
            }
            else
            {
                qualifier = ParseType();
            }
            return Track(new NestedName(qualifier, ParseBaseUnresolvedName()));
        }
        if (char.IsAsciiDigit(c))
        {
            var name = ParseSourceName();
            if (Peek() == 'I') return Track(new NameWithTemplateArgs(name, ParseTemplateArgs(false)));
            return name;
        }
        if (_pos + 2 <= _s.Length)
        {
            string code = _s.Substring(_pos, 2);
            if (Operators.TryGetValue(code, out var symbol))
            {
                _pos += 2;
                if (Unary.Contains(code) || code is "pp_" or "mm_")
                {
                    var operand = ParseExpression();
                    return Track(new CompositeNode(sb => { sb.Append(symbol); Operand(sb, operand); return true; }));
                }
                if (code == "qu")
                {
                    var a = ParseExpression();
                    var b = ParseExpression();
                    var d = ParseExpression();
                    return Track(new CompositeNode(sb => { Operand(sb, a); sb.Append(" ? "); Operand(sb, b); sb.Append(" : "); Operand(sb, d); return true; }));
                }
                var left = ParseExpression();
                var right = ParseExpression();
                return Track(new BinaryExpression(left, symbol, right));
            }
        }
        throw Fail();
    }

    // <expression> ::= rq <requirement>+ E | rQ <bare-function-type> _ <requirement>+ E
    // <requirement> ::= X <expression> [N] [R <type-constraint>] | T <type> | Q <constraint-expression>
    // Printed as llvm-cxxfilt does: "requires (T a) { {a.f()} -> C; typename T::x; requires p; }".
    private Node ParseRequiresExpression()
    {
        bool hasParameters = Peek(1) == 'Q';
        _pos += 2;
        var parameters = new List<Node>();
        if (hasParameters)
        {
            while (!Consume('_'))
            {
                if (AtEnd) throw Fail();
                parameters.Add(ParseType());
            }
        }
        var requirements = new List<Func<StringBuilder, bool>>();
        do
        {
            if (AtEnd) throw Fail();
            if (Consume('X'))
            {
                var expression = ParseExpression();
                bool isNoexcept = Consume('N');
                Node? constraint = Consume('R') ? ParseName(null) : null;
                bool braced = isNoexcept || constraint is not null;
                requirements.Add(sb =>
                {
                    sb.Append(' ');
                    if (braced) sb.Append('{');
                    expression.Print(sb);
                    if (braced) sb.Append('}');
                    if (isNoexcept) sb.Append(" noexcept");
                    if (constraint is not null) { sb.Append(" -> "); constraint.Print(sb); }
                    sb.Append(';');
                    return true;
                });
            }
            else if (Consume('T'))
            {
                var type = ParseType();
                requirements.Add(sb => { sb.Append(" typename "); type.Print(sb); sb.Append(';'); return true; });
            }
            else if (Consume('Q'))
            {
                var nested = ParseExpression();
                requirements.Add(sb => { sb.Append(" requires "); nested.Print(sb); sb.Append(';'); return true; });
            }
            else throw Fail();
        }
        while (!Consume('E'));
        return Track(new CompositeNode(sb =>
        {
            sb.Append("requires");
            if (parameters.Count > 0)
            {
                sb.Append(" (");
                TemplateArgs.PrintList(sb, parameters);
                sb.Append(')');
            }
            sb.Append(" {");
            foreach (var requirement in requirements) requirement(sb);
            sb.Append(" }");
            return true;
        }));
    }

    private Node ParseSimpleId()
    {
        var name = ParseSourceName();
        return Peek() == 'I' ? Track(new NameWithTemplateArgs(name, ParseTemplateArgs(false))) : name;
    }

    private Node ParseBaseUnresolvedName()
    {
        if (char.IsAsciiDigit(Peek())) return ParseSimpleId();
        if (Consume("dn"))
        {
            var t = char.IsAsciiDigit(Peek()) ? ParseSimpleId() : ParseType();
            return Composite("~", t, "");
        }
        Consume("on");
        var op = ParseOperatorName(null);
        return Peek() == 'I' ? Track(new NameWithTemplateArgs(op, ParseTemplateArgs(false))) : op;
    }

    private static void Operand(StringBuilder sb, Node n)
    {
        if (n is BinaryExpression)
        {
            sb.Append('(');
            n.Print(sb);
            sb.Append(')');
        }
        else n.Print(sb);
    }

    private sealed class BinaryExpression(Node left, string op, Node right) : Node
    {
        public override void PrintLeft(StringBuilder sb)
        {
            bool paren = op is ">" or ">>";
            if (paren) sb.Append('(');
            Operand(sb, left);
            if (op != ",") sb.Append(' ');
            sb.Append(op).Append(' ');
            Operand(sb, right);
            if (paren) sb.Append(')');
        }
    }

    private Node Composite(string before, Node inner, string after) =>
        Track(new CompositeNode(sb => { sb.Append(before); inner.Print(sb); sb.Append(after); return true; }));
}
