using System.Buffers;
using System.Globalization;
using System.Text;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values;

/// <summary>Turns values into what the variables view shows: a one-line value or summary, and children to expand.</summary>
/// <remarks>Scalars print as lldb prints them (so the two can be compared): chars quoted, floats with enough digits to
/// round-trip, pointers as 16 hex digits, <c>char *</c> followed by the string. Aggregates get a short summary.</remarks>
public sealed class ValueFormatter(IByteSource memory, Func<ulong, string?>? symbolize = null)
{
    /// <summary>The most characters read for a C string summary (lldb reads the same amount by default).</summary>
    public const int MaxStringLength = 1024;

    /// <summary>The most characters in an aggregate summary before it is cut with "...".</summary>
    public const int MaxSummaryLength = 100;

    /// <summary>How a null pointer to a struct or class prints ("NULL" in C, "nullptr" in C++, as lldb prints them); null prints the address.</summary>
    public string? NullObjectPointerText { get; init; }

    /// <summary>The memory values are read from.</summary>
    public IByteSource Memory => memory;

    /// <summary>Formats <paramref name="value"/> for display; unreadable values become a bracketed reason, never an exception.</summary>
    public string Format(DebugValue value, ValueFormat format = ValueFormat.Natural)
    {
        if (value.IsOptimizedOut) return "<optimized out>";
        if (!value.IsAvailable) return $"<{value.Error ?? "unavailable"}>";
        try
        {
            return FormatCore(value, format, 0);
        }
        catch (ValueException e)
        {
            return $"<{e.Message}>";
        }
    }

    private string FormatCore(DebugValue value, ValueFormat format, int depth)
    {
        var t = value.Canonical;
        if (t is ReferenceType r)
        {
            var address = value.GetRawInteger(memory);
            if (r.Referent is null) return Hex(address);
            var target = DebugValue.InMemory(r.Referent, address);
            return depth > 0 ? FormatCore(target, format, depth + 1) : $"{Hex(address)} (*{Format(target, format)})".Replace("(*<", "(<", StringComparison.Ordinal);
        }
        if (Views.ViewCatalog.For(value, memory) is { } view)
            return depth > MaxNesting ? "{...}" : view.Summary(this, format, depth);
        switch (t)
        {
            case BaseType b:
                return FormatBase(value, b, format);
            case EnumerationType e:
                {
                    var raw = value.GetRawInteger(memory);
                    if (format != ValueFormat.Natural) return FormatInteger(raw, e.IsSigned, (int)e.ByteSize, format);
                    return e.NameOf((long)raw) ?? FormatFlags(e, raw) ?? (e.IsSigned ? ((long)raw).ToString(CultureInfo.InvariantCulture) : raw.ToString(CultureInfo.InvariantCulture));
                }
            case PointerType p:
                {
                    var address = value.GetRawInteger(memory);
                    if (format is not (ValueFormat.Natural or ValueFormat.String)) return FormatInteger(address, false, 8, format);
                    if (IsCharacter(p.Pointee) && address != 0)
                        return $"{Hex(address)} {CString(address)}";
                    if (address == 0 && NullObjectPointerText is { } nullText && p.Pointee?.Canonical is CompositeType)
                        return nullText;
                    if (p.Pointee?.Canonical is SubroutineType && symbolize?.Invoke(address) is { } fn)
                        return $"{Hex(address)} ({fn})";
                    return Hex(address);
                }
            case ArrayType a:
                {
                    if (IsCharacter(a.Element) && a.Dimensions.Count == 1)
                    {
                        if (value.Address is { } at && a.Count is null) return CString(at);
                        // As lldb: the whole array, embedded NULs escaped, trailing NULs dropped.
                        var bytes = value.GetBytes(memory);
                        int end = bytes.Length;
                        while (end > 0 && bytes[end - 1] == 0) end--;
                        return Quote(bytes[..end], false);
                    }
                    return depth > 1 ? "{...}" : Summarize(value, format, depth);
                }
            case CompositeType:
                return depth > 1 ? "{...}" : Summarize(value, format, depth);
            case SubroutineType:
                return value.Address is { } fa ? Hex(fa) : "<function>";
            case UnspecifiedType:
                {
                    // A void function's result is nothing at all, as lldb prints nothing for it.
                    var bytes = value.GetBytes(memory);
                    return bytes.Length == 8 ? Hex(value.GetRawInteger(memory)) : bytes.Length == 0 ? "" : "<void>";
                }
            default:
                return Hex(value.GetRawInteger(memory));
        }
    }

    private string Summarize(DebugValue value, ValueFormat format, int depth)
    {
        if (value.Canonical is CompositeType && OneLiner(value, format) is { } line) return line;
        var sb = new StringBuilder("{");
        int count = ChildCount(value);
        var children = Children(value, 0, Math.Min(count, 16));
        bool first = true;
        bool named = value.Canonical is CompositeType;
        foreach (var c in children)
        {
            if (!first) sb.Append(", ");
            first = false;
            if (named) sb.Append(c.Name).Append('=');
            sb.Append(c.Value.IsOptimizedOut ? "<optimized out>" : FormatCoreSafe(c.Value, format, depth + 1));
            if (sb.Length > MaxSummaryLength) return sb.ToString(0, MaxSummaryLength) + "...}";
        }
        if (children.Count < count) sb.Append(", ...");
        return sb.Append('}').ToString();
    }

    // lldb prints a struct whose members are all scalars on one line: "(a = 1, b = 2)".
    private string? OneLiner(DebugValue value, ValueFormat format)
    {
        var children = Children(value, 0, 17);
        if (children.Count is 0 or > 16) return null;
        var parts = new List<string>(children.Count);
        for (int i = 0; i < children.Count; i++)
        {
            var c = children[i];
            var t = c.Value.Canonical;
            // A member with a summary and nothing to expand (a std::string) fits on the line; other aggregates do not.
            if (t is ArrayType) return null;
            if (t is CompositeType && (Views.ViewCatalog.For(c.Value, memory) is not { } member || member.ChildCount > 0)) return null;
            parts.Add($"{c.Name} = {(c.Value.IsOptimizedOut ? "<optimized out>" : FormatCoreSafe(c.Value, format, 2))}");
        }
        var text = "(" + string.Join(", ", parts) + ")";
        return text.Length <= 4 * MaxSummaryLength ? text : null;
    }

    private string FormatCoreSafe(DebugValue value, ValueFormat format, int depth)
    {
        try { return FormatCore(value, format, depth); }
        catch (ValueException e) { return $"<{e.Message}>"; }
    }

    private string FormatBase(DebugValue value, BaseType b, ValueFormat format)
    {
        if (b.IsFloat && format == ValueFormat.Natural)
        {
            var d = value.GetDouble(memory);
            return b.ByteSize == 4
                ? ((float)d).ToString("G9", CultureInfo.InvariantCulture)
                : d.ToString("G17", CultureInfo.InvariantCulture);
        }
        var raw = value.GetRawInteger(memory);
        if (format == ValueFormat.Natural)
        {
            if (b.Encoding == BaseTypeEncoding.Boolean) return raw != 0 ? "true" : "false";
            if (b.IsCharacter && b.ByteSize == 1) return CharLiteral((byte)raw);
            if (b.Encoding == BaseTypeEncoding.Utf && b.ByteSize is 2 or 4) return WideCharLiteral(raw, b);
            // Rust's unit type is a zero-sized base type.
            if (b.ByteSize == 0 && b.Language.IsRust) return "()";
            format = b.IsSigned ? ValueFormat.Decimal : ValueFormat.Unsigned;
        }
        if (format == ValueFormat.Character) return CharLiteral((byte)raw);
        int size = value.BitSize is { } bits ? (bits + 7) / 8 : (int)b.ByteSize;
        return FormatInteger(raw, b.IsSigned, size, format);
    }

    /// <summary>Formats an integer in the requested base; hex and binary are padded to the value's width, as lldb does.</summary>
    public static string FormatInteger(ulong raw, bool signed, int size, ValueFormat format)
    {
        size = Math.Clamp(size, 1, 8);
        ulong mask = size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
        return format switch
        {
            ValueFormat.Hex => "0x" + (raw & mask).ToString("x" + (size * 2), CultureInfo.InvariantCulture),
            ValueFormat.Octal => "0" + Convert.ToString((long)(raw & mask), 8),
            ValueFormat.Binary => "0b" + Convert.ToString((long)(raw & mask), 2).PadLeft(size * 8, '0'),
            ValueFormat.Unsigned => (raw & mask).ToString(CultureInfo.InvariantCulture),
            ValueFormat.Character => CharLiteral((byte)raw),
            _ => signed || format == ValueFormat.Decimal
                ? SignExtend(raw, size).ToString(CultureInfo.InvariantCulture)
                : (raw & mask).ToString(CultureInfo.InvariantCulture),
        };
    }

    private static long SignExtend(ulong raw, int size)
    {
        if (size >= 8) return (long)raw;
        int shift = 64 - size * 8;
        return (long)(raw << shift) >> shift;
    }

    private static string? FormatFlags(EnumerationType e, ulong raw)
    {
        // A value that is an OR of distinct single-bit enumerators prints as "A | B", like lldb.
        if (raw == 0) return null;
        var parts = new List<string>();
        ulong rest = raw;
        foreach (var en in e.Enumerators)
        {
            ulong v = (ulong)en.Value;
            if (v != 0 && (v & (v - 1)) == 0 && (rest & v) == v)
            {
                parts.Add(en.Name);
                rest &= ~v;
            }
        }
        if (rest != 0 || parts.Count < 2) return null;
        return "(" + string.Join(" | ", parts) + ")";
    }

    /// <summary>The deepest nesting of summaries inside summaries; deeper aggregates print as "{...}".</summary>
    public const int MaxNesting = 6;

    /// <summary>Formats <paramref name="value"/> as a part of its parent's summary at nesting <paramref name="depth"/>;
    /// an unreadable part becomes a bracketed reason.</summary>
    public string FormatNested(DebugValue value, ValueFormat format, int depth)
    {
        if (value.IsOptimizedOut) return "<optimized out>";
        if (!value.IsAvailable) return $"<{value.Error ?? "unavailable"}>";
        return FormatCoreSafe(value, format, depth);
    }

    /// <summary>True when the children of <paramref name="value"/> are elements (<c>[i]</c>) that a client fetches in pages.</summary>
    public bool ChildrenAreElements(DebugValue value)
    {
        var t = value.Canonical;
        if (t is ArrayType) return true;
        try
        {
            // A pointer to a struct and a reference expand to what they point to.
            if (t is PointerType { Pointee: { } pointee } && pointee.Canonical is CompositeType && value.IsAvailable)
                return ChildrenAreElements(DebugValue.InMemory(pointee, value.GetRawInteger(memory)));
            if (t is ReferenceType { Referent: { } referent } && value.IsAvailable)
                return ChildrenAreElements(DebugValue.InMemory(referent, value.GetRawInteger(memory)));
            return Views.ViewCatalog.For(value, memory) is { ChildrenAreElements: true };
        }
        catch (ValueException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="value"/> can be expanded in the variables view.</summary>
    public bool HasChildren(DebugValue value) => value.IsAvailable && ChildCount(value) > 0;

    /// <summary>The number of children <paramref name="value"/> expands to (array elements, members, the pointee).</summary>
    public int ChildCount(DebugValue value)
    {
        if (!value.IsAvailable) return 0;
        var t = value.Canonical;
        try
        {
            if (Views.ViewCatalog.For(value, memory) is { } view) return view.ChildCount;
            return t switch
            {
                CompositeType c => c.Bases.Count(HoldsData) + c.Members.Count(m => !m.IsArtificial),
                ArrayType a => a.Count is { } n ? (int)Math.Min(n, int.MaxValue) : 0,
                PointerType p => PointeeChildCount(value, p),
                ReferenceType r when r.Referent is not null => ChildCount(DebugValue.InMemory(r.Referent, value.GetRawInteger(memory))),
                _ => 0,
            };
        }
        catch (ValueException)
        {
            return 0;
        }
    }

    // An empty base (std::pair's __pair_base, an allocator, a tag) holds nothing to show; lldb leaves it out too.
    // The depth bound keeps a malformed base chain that reaches itself from looping.
    private static bool HoldsData(BaseClass b) => HoldsData(b, 0);

    private static bool HoldsData(BaseClass b, int depth) => b.IsVirtual || depth > 32 || b.Type?.Canonical is not CompositeType c
        || c.Members.Count > 0 || c.Bases.Any(inner => HoldsData(inner, depth + 1));

    private int PointeeChildCount(DebugValue value, PointerType p)
    {
        if (p.Pointee is null || p.Pointee.Canonical is SubroutineType or UnspecifiedType) return 0;
        if (IsCharacter(p.Pointee)) return 0;
        if (value.GetRawInteger(memory) == 0) return 0;
        // A pointer to a struct expands straight to the struct's members, as lldb does; anything else shows "*p".
        return p.Pointee.Canonical is CompositeType ? ChildCount(DebugValue.InMemory(p.Pointee, value.GetRawInteger(memory))) : 1;
    }

    /// <summary>The children of <paramref name="value"/> from <paramref name="start"/>, at most <paramref name="count"/> of them.</summary>
    /// <param name="value">The parent.</param>
    /// <param name="start">The first child index (arrays are fetched in chunks).</param>
    /// <param name="count">The most children to return.</param>
    /// <param name="expression">The parent's expression, used to build each child's expression.</param>
    public IReadOnlyList<NamedValue> Children(DebugValue value, int start, int count, string? expression = null)
    {
        var result = new List<NamedValue>();
        if (!value.IsAvailable || count <= 0 || start < 0) return result;
        var t = value.Canonical;
        try
        {
            if (Views.ViewCatalog.For(value, memory) is { } view) return view.Children(start, count, expression);
            switch (t)
            {
                case CompositeType c:
                    {
                        int index = 0;
                        foreach (var b in c.Bases)
                        {
                            if (!HoldsData(b) || index++ < start || b.Type is null) continue;
                            if (result.Count >= count) break;
                            var bv = value.BaseSubobject(b, memory);
                            result.Add(new(b.Type.DisplayName, bv, null));
                        }
                        foreach (var m in c.Members)
                        {
                            if (m.IsArtificial) continue;
                            if (index++ < start) continue;
                            if (result.Count >= count) break;
                            var mv = value.Slice(m.Type ?? UnspecifiedType.Void, m.ByteOffset, m.BitSize, m.BitOffset);
                            var name = m.Name ?? "";
                            result.Add(new(name, mv, m.Name is null || expression is null ? null : $"{expression}.{m.Name}"));
                        }
                        return result;
                    }
                case ArrayType a when a.Inner is { } inner:
                    {
                        ulong n = a.Count ?? 0;
                        ulong size = inner.Canonical.ByteSize;
                        for (ulong i = (ulong)start; i < n && result.Count < count; i++)
                            result.Add(new($"[{i}]", value.Slice(inner, i * size), expression is null ? null : $"{expression}[{i}]"));
                        return result;
                    }
                case PointerType p when PointeeChildCount(value, p) > 0:
                    {
                        var target = DebugValue.InMemory(p.Pointee!, value.GetRawInteger(memory));
                        if (p.Pointee!.Canonical is CompositeType)
                        {
                            var list = Children(target, start, count, expression is null ? null : $"(*{expression})");
                            return list.Select(c => c with { Expression = c.Expression?.Replace($"(*{expression}).", $"{expression}->", StringComparison.Ordinal) }).ToList();
                        }
                        if (start == 0) result.Add(new(expression is null ? "*" : $"*{expression}", target, expression is null ? null : $"*{expression}"));
                        return result;
                    }
                case ReferenceType r when r.Referent is not null:
                    return Children(DebugValue.InMemory(r.Referent, value.GetRawInteger(memory)), start, count, expression);
            }
        }
        catch (ValueException)
        {
        }
        return result;
    }

    private static bool IsCharacter(DwarfType? t) => t?.Canonical is BaseType { IsCharacter: true, ByteSize: 1 };

    private string CString(ulong address)
    {
        var buffer = new byte[MaxStringLength];
        int n = memory.Read(address, buffer);
        if (n <= 0) return $"<cannot read memory at {Hex(address)}>";
        var span = buffer.AsSpan(0, n);
        int nul = span.IndexOf((byte)0);
        return nul >= 0 ? Quote(span[..nul], false) : Quote(span, true);
    }

    private byte[] ReadBytes(ulong address, int length)
    {
        var buffer = new byte[Math.Max(length, 0)];
        int n = memory.Read(address, buffer);
        if (n < length) throw new ValueException($"cannot read memory at 0x{address + (ulong)Math.Max(n, 0):x}");
        return buffer;
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="address"/> quoted as text (at most
    /// <see cref="MaxStringLength"/> of them, then "..."), as lldb shows a string object's contents.</summary>
    public string QuoteAt(ulong address, ulong length)
    {
        if (length == 0) return "\"\"";
        return Quote(ReadBytes(address, (int)Math.Min(length, MaxStringLength)), length > MaxStringLength);
    }

    /// <summary>Quotes bytes as a C string literal, as lldb prints a string: each well-formed UTF-8 sequence as its
    /// character (a control character as <c>\n</c> or <c>\U0000000e</c>), each byte that starts no well-formed
    /// sequence as <c>\x9f</c>, so no byte is lost or replaced.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes, bool truncated)
    {
        var sb = new StringBuilder(bytes.Length + 2).Append('"');
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int used) != OperationStatus.Done)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{bytes[0]:x2}");
                bytes = bytes[1..];
                continue;
            }
            bytes = bytes[used..];
            if (rune.Value < 0x80 && Escape((char)rune.Value, '"') is { Length: 2 } named && named[0] == '\\') sb.Append(named);
            else if (IsPrintable(rune.Value)) sb.Append(rune.ToString());
            else sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
        }
        sb.Append('"');
        if (truncated) sb.Append("...");
        return sb.ToString();
    }

    // What lldb prints as it is inside a string: not the C0 and C1 controls, the line and paragraph separators, the
    // bidirectional controls or the specials at the end of the Basic Multilingual Plane.
    private static bool IsPrintable(int code) => code is not (<= 0x1f or 0x7f or (>= 0x80 and <= 0x9f) or 0x2028 or 0x2029 or 0x200e or 0x200f
        or (>= 0x202a and <= 0x202e) or (>= 0xfff9 and <= 0xffff));

    // A Rust char prints as Rust writes it ('x'); C++'s char16_t and char32_t as lldb prints them (U+0x0078 u'x').
    private static string WideCharLiteral(ulong code, BaseType type)
    {
        var text = code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF) ? char.ConvertFromUtf32((int)code) : "\uFFFD";
        var quoted = "'" + string.Concat(text.Select(c => Escape(c, '\''))) + "'";
        if (type.Language.IsRust) return quoted;
        return type.ByteSize == 2
            ? $"U+0x{code:x4} u{quoted}"
            : $"U+0x{code:x8} U{quoted}";
    }

    /// <summary>Quotes one byte as a C character literal, as lldb prints a <c>char</c>.</summary>
    public static string CharLiteral(byte b) => "'" + (b < 0x80 ? Escape((char)b, '\'') : $"\\x{b:x2}") + "'";

    private static string Escape(char ch, char quote) => ch switch
    {
        '\0' => "\\0",
        '\a' => "\\a",
        '\b' => "\\b",
        '\f' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\v' => "\\v",
        '\\' => "\\\\",
        _ when ch == quote => "\\" + ch,
        _ when ch < 0x20 || ch == 0x7f => $"\\x{(int)ch:x2}",
        _ => ch.ToString(),
    };

    /// <summary>Formats an address as lldb does: 0x and 16 hex digits.</summary>
    public static string Hex(ulong address) => "0x" + address.ToString("x16", CultureInfo.InvariantCulture);
}
