namespace TrapDebugger.Dwarf.Types;

/// <summary>How the bytes of a base type are interpreted (DW_ATE_*).</summary>
public enum BaseTypeEncoding
{
    Unknown = 0,
    Address = 0x1,         // DW_ATE_address
    Boolean = 0x2,         // DW_ATE_boolean
    ComplexFloat = 0x3,    // DW_ATE_complex_float
    Float = 0x4,           // DW_ATE_float
    Signed = 0x5,          // DW_ATE_signed
    SignedChar = 0x6,      // DW_ATE_signed_char
    Unsigned = 0x7,        // DW_ATE_unsigned
    UnsignedChar = 0x8,    // DW_ATE_unsigned_char
    Utf = 0x10,            // DW_ATE_UTF
}

/// <summary>A scalar type the language provides: int, char, double, bool (DW_TAG_base_type).</summary>
public sealed class BaseType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Base;

    /// <summary>How the bytes are interpreted.</summary>
    public required BaseTypeEncoding Encoding { get; init; }

    /// <summary>True for the signed integer encodings (including signed char).</summary>
    public bool IsSigned => Encoding is BaseTypeEncoding.Signed or BaseTypeEncoding.SignedChar;

    /// <summary>True for the character encodings, whose values display as characters.</summary>
    public bool IsCharacter => Encoding is BaseTypeEncoding.SignedChar or BaseTypeEncoding.UnsignedChar or BaseTypeEncoding.Utf;

    /// <summary>True for floating-point encodings.</summary>
    public bool IsFloat => Encoding is BaseTypeEncoding.Float;
}
