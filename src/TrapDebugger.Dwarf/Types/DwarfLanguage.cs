namespace TrapDebugger.Dwarf.Types;

/// <summary>The source language of the unit that described a type (DW_AT_language, a DW_LANG_* code); codes this
/// reader does not name are carried unchanged.</summary>
/// <param name="Code">The DW_LANG_* code, 0 when the unit does not say.</param>
public readonly record struct DwarfLanguage(ushort Code)
{
    /// <summary>No language recorded (types built by hand, units without DW_AT_language).</summary>
    public static readonly DwarfLanguage Unknown = new(0);

    /// <summary>DW_LANG_Rust.</summary>
    public static readonly DwarfLanguage Rust = new(0x1c);

    /// <summary>DW_LANG_C_plus_plus.</summary>
    public static readonly DwarfLanguage CPlusPlus = new(0x04);

    /// <summary>True for Rust.</summary>
    public bool IsRust => Code == 0x1c;

    /// <summary>True for every revision of C++ (DW_LANG_C_plus_plus, _03, _11, _14, and DWARF 6's _17 … _20).</summary>
    public bool IsCPlusPlus => Code is 0x04 or 0x19 or 0x1a or 0x21 or 0x2a or 0x2b;

    /// <summary>True for every revision of C (C89, C, C99, C11, C17).</summary>
    public bool IsC => Code is 0x01 or 0x02 or 0x0c or 0x1d or 0x2c;
}
