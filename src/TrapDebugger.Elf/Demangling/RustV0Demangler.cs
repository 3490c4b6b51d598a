using System.Globalization;
using System.Numerics;
using System.Text;

namespace TrapDebugger.Elf.Demangling;

/// <summary>A demangler for Rust's v0 symbol mangling ("_R…", RFC 2603), printing as llvm-cxxfilt does.</summary>
/// <remarks>Backreferences may only point backwards and recursion is bounded, so every input terminates.</remarks>
internal sealed class RustV0Demangler
{
    private const int MaxDepth = 300;
    private const int MaxOutput = 1 << 20;

    private readonly string _s;
    private int _pos;
    private int _depth;
    private int _boundLifetimes;
    private readonly StringBuilder _out = new();
    private bool _printing = true;

    private sealed class Failure : Exception;

    private RustV0Demangler(string s) => _s = s;

    /// <summary>Demangles <paramref name="mangled"/> (starting with "_R"), or returns null when it is not a valid v0 name.</summary>
    public static string? TryDemangle(string mangled)
    {
        if (!mangled.StartsWith("_R", StringComparison.Ordinal)) return null;
        var d = new RustV0Demangler(mangled[2..]);
        try
        {
            if (char.IsAsciiDigit(d.Peek())) return null; // an encoding version other than the implicit 0
            if (!char.IsAsciiLetterUpper(d.Peek())) return null;
            d.PrintPath(inType: false);
            if (!d.AtEnd && char.IsAsciiLetterUpper(d.Peek()))
            {
                d._printing = false;
                d.PrintPath(inType: false);
                d._printing = true;
            }
            if (!d.AtEnd)
            {
                if (d.Peek() != '.') return null;
                d._out.Append(" (").Append(d._s, d._pos, d._s.Length - d._pos).Append(')');
            }
            return d._out.ToString();
        }
        catch (Failure)
        {
            return null;
        }
        catch (InsufficientExecutionStackException)
        {
            return null;
        }
    }

    private static Failure Fail() => new();

    private bool AtEnd => _pos >= _s.Length;

    private char Peek() => _pos < _s.Length ? _s[_pos] : '\0';

    private char Next() => _pos < _s.Length ? _s[_pos++] : throw Fail();

    private bool Consume(char c)
    {
        if (Peek() != c) return false;
        _pos++;
        return true;
    }

    private void Print(string text)
    {
        if (!_printing) return;
        _out.Append(text);
        if (_out.Length > MaxOutput) throw Fail();
    }

    private void Print(char c)
    {
        if (_printing) _out.Append(c);
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw Fail();
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    // <base-62-number> = {<0-9a-zA-Z>} "_"; "_" is 0, otherwise value + 1.
    private ulong ParseBase62()
    {
        if (Consume('_')) return 0;
        ulong v = 0;
        while (true)
        {
            char c = Next();
            if (c == '_') break;
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 36,
                _ => throw Fail(),
            };
            if (v > (ulong.MaxValue - 61) / 62) throw Fail();
            v = v * 62 + (ulong)digit;
        }
        return v + 1;
    }

    private ulong ParseOptionalBase62(char tag) => Consume(tag) ? ParseBase62() + 1 : 0;

    private ulong ParseDecimal()
    {
        int start = _pos;
        if (Peek() == '0')
        {
            _pos++;
            return 0;
        }
        while (char.IsAsciiDigit(Peek())) _pos++;
        if (_pos == start || _pos - start > 9) throw Fail();
        return ulong.Parse(_s.AsSpan(start, _pos - start), CultureInfo.InvariantCulture);
    }

    private (string Name, bool Punycode) ParseUndisambiguatedIdentifier()
    {
        bool punycode = Consume('u');
        ulong length = ParseDecimal();
        Consume('_');
        if (length > (ulong)(_s.Length - _pos)) throw Fail();
        string name = _s.Substring(_pos, (int)length);
        _pos += (int)length;
        if (punycode)
        {
            name = Punycode.Decode(name) ?? throw Fail();
        }
        return (name, punycode);
    }

    private int BackrefTarget()
    {
        int at = _pos - 1; // position of the 'B'
        ulong target = ParseBase62();
        if (target >= (ulong)at) throw Fail(); // backreferences must point strictly backwards
        return (int)target;
    }

    private T WithBackref<T>(Func<T> parse)
    {
        int target = BackrefTarget();
        int saved = _pos;
        _pos = target;
        try { return parse(); }
        finally { _pos = saved; }
    }

    // Returns true when the path ended in generic arguments that were left open (for dyn trait bindings).
    private bool PrintPath(bool inType, bool leaveOpen = false)
    {
        Enter();
        try
        {
            char tag = Next();
            switch (tag)
            {
                case 'C':
                    {
                        ParseOptionalBase62('s');
                        Print(ParseUndisambiguatedIdentifier().Name);
                        return false;
                    }
                case 'M':
                    {
                        ParseOptionalBase62('s');
                        bool saved = _printing;
                        _printing = false;
                        PrintPath(inType: false);
                        _printing = saved;
                        Print('<');
                        PrintType();
                        Print('>');
                        return false;
                    }
                case 'X':
                    {
                        ParseOptionalBase62('s');
                        bool saved = _printing;
                        _printing = false;
                        PrintPath(inType: false);
                        _printing = saved;
                        Print('<');
                        PrintType();
                        Print(" as ");
                        PrintPath(inType: true);
                        Print('>');
                        return false;
                    }
                case 'Y':
                    {
                        Print('<');
                        PrintType();
                        Print(" as ");
                        PrintPath(inType: true);
                        Print('>');
                        return false;
                    }
                case 'N':
                    {
                        char ns = Next();
                        if (!char.IsAsciiLetter(ns)) throw Fail();
                        PrintPath(inType);
                        ulong dis = ParseOptionalBase62('s');
                        var (name, _) = ParseUndisambiguatedIdentifier();
                        if (char.IsAsciiLetterUpper(ns))
                        {
                            Print("::{");
                            Print(ns switch { 'C' => "closure", 'S' => "shim", _ => ns.ToString() });
                            if (name.Length > 0)
                            {
                                Print(':');
                                Print(name);
                            }
                            Print('#');
                            Print(dis.ToString(CultureInfo.InvariantCulture));
                            Print('}');
                        }
                        else if (name.Length > 0)
                        {
                            Print("::");
                            Print(name);
                        }
                        return false;
                    }
                case 'I':
                    {
                        PrintPath(inType);
                        if (!inType) Print("::");
                        Print('<');
                        for (int i = 0; !Consume('E'); i++)
                        {
                            if (AtEnd) throw Fail();
                            if (i > 0) Print(", ");
                            PrintGenericArg();
                        }
                        if (leaveOpen) return true;
                        Print('>');
                        return false;
                    }
                case 'B':
                    return WithBackref(() => PrintPath(inType, leaveOpen));
                default:
                    throw Fail();
            }
        }
        finally
        {
            _depth--;
        }
    }

    private void PrintGenericArg()
    {
        if (Consume('L'))
        {
            PrintLifetime(ParseBase62());
            return;
        }
        if (Consume('K'))
        {
            PrintConst();
            return;
        }
        PrintType();
    }

    private void PrintLifetime(ulong index)
    {
        if (index == 0)
        {
            Print("'_");
            return;
        }
        if (index > (ulong)_boundLifetimes) throw Fail();
        ulong depth = (ulong)_boundLifetimes - index;
        if (depth < 26) Print("'" + (char)('a' + (int)depth));
        else Print("'_" + depth.ToString(CultureInfo.InvariantCulture));
    }

    private static string? BasicType(char c) => c switch
    {
        'a' => "i8", 'b' => "bool", 'c' => "char", 'd' => "f64", 'e' => "str", 'f' => "f32", 'h' => "u8", 'i' => "isize",
        'j' => "usize", 'l' => "i32", 'm' => "u32", 'n' => "i128", 'o' => "u128", 's' => "i16", 't' => "u16", 'u' => "()",
        'v' => "...", 'x' => "i64", 'y' => "u64", 'z' => "!", 'p' => "_",
        _ => null,
    };

    private void PrintType()
    {
        Enter();
        try
        {
            char tag = Next();
            if (BasicType(tag) is { } basic)
            {
                Print(basic);
                return;
            }
            switch (tag)
            {
                case 'R' or 'Q':
                    Print('&');
                    if (Consume('L'))
                    {
                        ulong lt = ParseBase62();
                        if (lt != 0)
                        {
                            PrintLifetime(lt);
                            Print(' ');
                        }
                    }
                    if (tag == 'Q') Print("mut ");
                    PrintType();
                    return;
                case 'P':
                    Print("*const ");
                    PrintType();
                    return;
                case 'O':
                    Print("*mut ");
                    PrintType();
                    return;
                case 'A':
                    Print('[');
                    PrintType();
                    Print("; ");
                    PrintConst();
                    Print(']');
                    return;
                case 'S':
                    Print('[');
                    PrintType();
                    Print(']');
                    return;
                case 'T':
                    {
                        Print('(');
                        int count = 0;
                        for (; !Consume('E'); count++)
                        {
                            if (AtEnd) throw Fail();
                            if (count > 0) Print(", ");
                            PrintType();
                        }
                        if (count == 1) Print(',');
                        Print(')');
                        return;
                    }
                case 'F':
                    PrintFnSig();
                    return;
                case 'D':
                    PrintDynBounds();
                    return;
                case 'B':
                    WithBackref(() => { PrintType(); return 0; });
                    return;
                default:
                    _pos--;
                    PrintPath(inType: true);
                    return;
            }
        }
        finally
        {
            _depth--;
        }
    }

    private int PrintBinder()
    {
        if (!Consume('G')) return 0;
        ulong count = ParseBase62() + 1;
        if (count > 1000) throw Fail();
        Print("for<");
        for (ulong i = 0; i < count; i++)
        {
            if (i > 0) Print(", ");
            _boundLifetimes++;
            PrintLifetime(1);
        }
        Print("> ");
        return (int)count;
    }

    private void PrintFnSig()
    {
        int bound = PrintBinder();
        try
        {
            if (Consume('U')) Print("unsafe ");
            if (Consume('K'))
            {
                Print("extern \"");
                if (Consume('C')) Print("C");
                else Print(ParseUndisambiguatedIdentifier().Name.Replace('_', '-'));
                Print("\" ");
            }
            Print("fn(");
            for (int i = 0; !Consume('E'); i++)
            {
                if (AtEnd) throw Fail();
                if (i > 0) Print(", ");
                PrintType();
            }
            Print(')');
            if (Consume('u')) return;
            Print(" -> ");
            PrintType();
        }
        finally
        {
            _boundLifetimes -= bound;
        }
    }

    private void PrintDynBounds()
    {
        Print("dyn ");
        int bound = PrintBinder();
        try
        {
            for (int i = 0; !Consume('E'); i++)
            {
                if (AtEnd) throw Fail();
                if (i > 0) Print(" + ");
                bool open = PrintPath(inType: true, leaveOpen: true);
                while (Consume('p'))
                {
                    Print(open ? ", " : "<");
                    open = true;
                    Print(ParseUndisambiguatedIdentifier().Name);
                    Print(" = ");
                    PrintType();
                }
                if (open) Print('>');
            }
            Expect('L');
            ulong lifetime = ParseBase62();
            if (lifetime != 0)
            {
                Print(" + ");
                PrintLifetime(lifetime);
            }
        }
        finally
        {
            _boundLifetimes -= bound;
        }
    }

    private void Expect(char c)
    {
        if (!Consume(c)) throw Fail();
    }

    private void PrintConst()
    {
        Enter();
        try
        {
            char tag = Next();
            switch (tag)
            {
                case 'p':
                    Print('_');
                    return;
                case 'B':
                    WithBackref(() => { PrintConst(); return 0; });
                    return;
                case 'h' or 't' or 'm' or 'y' or 'o' or 'j':
                    Print(ParseConstData(false).ToString(CultureInfo.InvariantCulture));
                    return;
                case 'a' or 's' or 'l' or 'x' or 'n' or 'i':
                    Print(ParseConstData(true).ToString(CultureInfo.InvariantCulture));
                    return;
                case 'b':
                    {
                        var v = ParseConstData(false);
                        if (v > 1) throw Fail();
                        Print(v == 1 ? "true" : "false");
                        return;
                    }
                case 'c':
                    {
                        var v = ParseConstData(false);
                        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw Fail();
                        Print(QuoteChar((int)v));
                        return;
                    }
                default:
                    throw Fail();
            }
        }
        finally
        {
            _depth--;
        }
    }

    private BigInteger ParseConstData(bool signed)
    {
        bool negative = signed && Consume('n');
        int start = _pos;
        while (char.IsAsciiHexDigitLower(Peek()) || char.IsAsciiDigit(Peek())) _pos++;
        int length = _pos - start;
        Expect('_');
        if (length > 32) throw Fail();
        var value = length == 0 ? BigInteger.Zero : BigInteger.Parse("0" + _s.Substring(start, length), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    private static string QuoteChar(int c) => c switch
    {
        '\t' => "'\\t'",
        '\r' => "'\\r'",
        '\n' => "'\\n'",
        '\\' => "'\\\\'",
        '\'' => "'\\''",
        >= 0x20 and < 0x7f => $"'{(char)c}'",
        _ => $"'\\u{{{c:x}}}'",
    };
}

/// <summary>RFC 3492 Punycode decoding as Rust v0 uses it for non-ASCII identifiers ("u" prefix, '_' as the delimiter).</summary>
internal static class Punycode
{
    public static string? Decode(string input)
    {
        int delimiter = input.LastIndexOf('_');
        var output = new List<int>();
        if (delimiter > 0)
            foreach (char c in input[..delimiter]) output.Add(c);
        int i = 0, n = 128, bias = 72;
        int p = delimiter > 0 ? delimiter + 1 : 0;
        while (p < input.Length)
        {
            int oldI = i, w = 1;
            for (int k = 36; ; k += 36)
            {
                if (p >= input.Length) return null;
                char c = input[p++];
                int digit = c is >= 'a' and <= 'z' ? c - 'a' : c is >= '0' and <= '9' ? c - '0' + 26 : -1;
                if (digit < 0) return null;
                if (digit > (int.MaxValue - i) / w) return null;
                i += digit * w;
                int t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
                if (digit < t) break;
                if (w > int.MaxValue / (36 - t)) return null;
                w *= 36 - t;
            }
            int count = output.Count + 1;
            int delta = oldI == 0 ? (i - oldI) / 700 : (i - oldI) / 2;
            delta += delta / count;
            int kk = 0;
            while (delta > 35 * 26 / 2) { delta /= 35; kk += 36; }
            bias = kk + 36 * delta / (delta + 38);
            if (i / count > 0x10ffff - n) return null;
            n += i / count;
            i %= count;
            if (n > 0x10ffff || output.Count > 4096) return null;
            output.Insert(i, n);
            i++;
        }
        var sb = new StringBuilder();
        foreach (int cp in output)
        {
            if (cp is >= 0xd800 and <= 0xdfff) return null;
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }
}
