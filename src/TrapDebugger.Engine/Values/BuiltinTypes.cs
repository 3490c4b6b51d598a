using TrapDebugger.Dwarf.Types;

namespace TrapDebugger.Engine.Values;

/// <summary>The C types the expression language needs when the program's DWARF does not supply one (literals, registers, results).</summary>
public static class BuiltinTypes
{
    /// <summary><c>bool</c>.</summary>
    public static readonly BaseType Bool = new() { Name = "bool", ByteSize = 1, Encoding = BaseTypeEncoding.Boolean };
    /// <summary><c>char</c> (signed on x86-64).</summary>
    public static readonly BaseType Char = new() { Name = "char", ByteSize = 1, Encoding = BaseTypeEncoding.SignedChar };
    /// <summary><c>signed char</c>.</summary>
    public static readonly BaseType SignedChar = new() { Name = "signed char", ByteSize = 1, Encoding = BaseTypeEncoding.SignedChar };
    /// <summary><c>unsigned char</c>.</summary>
    public static readonly BaseType UnsignedChar = new() { Name = "unsigned char", ByteSize = 1, Encoding = BaseTypeEncoding.UnsignedChar };
    /// <summary><c>short</c>.</summary>
    public static readonly BaseType Short = new() { Name = "short", ByteSize = 2, Encoding = BaseTypeEncoding.Signed };
    /// <summary><c>unsigned short</c>.</summary>
    public static readonly BaseType UnsignedShort = new() { Name = "unsigned short", ByteSize = 2, Encoding = BaseTypeEncoding.Unsigned };
    /// <summary><c>int</c>.</summary>
    public static readonly BaseType Int = new() { Name = "int", ByteSize = 4, Encoding = BaseTypeEncoding.Signed };
    /// <summary><c>unsigned int</c>.</summary>
    public static readonly BaseType UnsignedInt = new() { Name = "unsigned int", ByteSize = 4, Encoding = BaseTypeEncoding.Unsigned };
    /// <summary><c>long</c>.</summary>
    public static readonly BaseType Long = new() { Name = "long", ByteSize = 8, Encoding = BaseTypeEncoding.Signed };
    /// <summary><c>unsigned long</c>.</summary>
    public static readonly BaseType UnsignedLong = new() { Name = "unsigned long", ByteSize = 8, Encoding = BaseTypeEncoding.Unsigned };
    /// <summary><c>long long</c>.</summary>
    public static readonly BaseType LongLong = new() { Name = "long long", ByteSize = 8, Encoding = BaseTypeEncoding.Signed };
    /// <summary><c>unsigned long long</c>.</summary>
    public static readonly BaseType UnsignedLongLong = new() { Name = "unsigned long long", ByteSize = 8, Encoding = BaseTypeEncoding.Unsigned };
    /// <summary><c>float</c>.</summary>
    public static readonly BaseType Float = new() { Name = "float", ByteSize = 4, Encoding = BaseTypeEncoding.Float };
    /// <summary><c>double</c>.</summary>
    public static readonly BaseType Double = new() { Name = "double", ByteSize = 8, Encoding = BaseTypeEncoding.Float };
    /// <summary><c>long double</c> (x87 extended, 16 bytes of storage).</summary>
    public static readonly BaseType LongDouble = new() { Name = "long double", ByteSize = 16, Encoding = BaseTypeEncoding.Float };
    /// <summary>Rust's <c>usize</c>, the type of lengths and counts a Rust view answers.</summary>
    public static readonly BaseType RustUsize = new() { Name = "usize", ByteSize = 8, Encoding = BaseTypeEncoding.Unsigned, Language = DwarfLanguage.Rust };
    /// <summary>Rust's <c>bool</c>.</summary>
    public static readonly BaseType RustBool = new() { Name = "bool", ByteSize = 1, Encoding = BaseTypeEncoding.Boolean, Language = DwarfLanguage.Rust };
    /// <summary>C++'s <c>size_t</c> (what <c>size()</c> of a standard container returns).</summary>
    public static readonly DwarfType SizeT = new TypedefType { Name = "size_t", Target = UnsignedLong };

    /// <summary>The type of a count in <paramref name="language"/>: <c>usize</c> in Rust, else <c>size_t</c>.</summary>
    public static DwarfType CountIn(DwarfLanguage language) => language.IsRust ? RustUsize : SizeT;

    /// <summary>The boolean type of <paramref name="language"/>.</summary>
    public static DwarfType BoolIn(DwarfLanguage language) => language.IsRust ? RustBool : Bool;

    /// <summary><c>void *</c>.</summary>
    public static readonly PointerType VoidPointer = new() { Pointee = null };
    /// <summary><c>char *</c>.</summary>
    public static readonly PointerType CharPointer = new() { Pointee = Char };

    private static readonly Dictionary<string, DwarfType> ByName = new(StringComparer.Ordinal)
    {
        ["bool"] = Bool, ["_Bool"] = Bool, ["char"] = Char, ["signed char"] = SignedChar, ["unsigned char"] = UnsignedChar,
        ["short"] = Short, ["short int"] = Short, ["signed short"] = Short, ["unsigned short"] = UnsignedShort,
        ["unsigned short int"] = UnsignedShort, ["int"] = Int, ["signed"] = Int, ["signed int"] = Int,
        ["unsigned"] = UnsignedInt, ["unsigned int"] = UnsignedInt, ["long"] = Long, ["long int"] = Long,
        ["signed long"] = Long, ["unsigned long"] = UnsignedLong, ["unsigned long int"] = UnsignedLong,
        ["long long"] = LongLong, ["long long int"] = LongLong, ["unsigned long long"] = UnsignedLongLong,
        ["unsigned long long int"] = UnsignedLongLong, ["float"] = Float, ["double"] = Double, ["long double"] = LongDouble,
        ["void"] = UnspecifiedType.Void,
        ["int8_t"] = SignedChar, ["uint8_t"] = UnsignedChar, ["int16_t"] = Short, ["uint16_t"] = UnsignedShort,
        ["int32_t"] = Int, ["uint32_t"] = UnsignedInt, ["int64_t"] = Long, ["uint64_t"] = UnsignedLong,
        ["size_t"] = UnsignedLong, ["ssize_t"] = Long, ["intptr_t"] = Long, ["uintptr_t"] = UnsignedLong, ["ptrdiff_t"] = Long,
    };

    /// <summary>The words that can start a built-in type name in a cast.</summary>
    public static readonly IReadOnlySet<string> Keywords = new HashSet<string>(StringComparer.Ordinal)
    {
        "bool", "_Bool", "char", "short", "int", "long", "signed", "unsigned", "float", "double", "void",
    };

    /// <summary>Returns the built-in type spelled <paramref name="name"/> (whitespace-normalized), or null.</summary>
    public static DwarfType? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>A pointer to <paramref name="pointee"/>.</summary>
    public static PointerType PointerTo(DwarfType? pointee) => new() { Pointee = pointee };
}
