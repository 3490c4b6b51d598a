namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>A DW_EH_PE_* pointer encoding byte: a value format in the low nibble, an application in bits 4–6, and the indirect flag.</summary>
public readonly record struct PointerEncoding(byte Value)
{
    /// <summary>DW_EH_PE_omit: no value is present.</summary>
    public static readonly PointerEncoding Omit = new(0xff);

    /// <summary>DW_EH_PE_absptr: a target-sized absolute address.</summary>
    public static readonly PointerEncoding AbsolutePointer = new(0x00);

    /// <summary>True for DW_EH_PE_omit.</summary>
    public bool IsOmit => Value == 0xff;

    /// <summary>The value format (DW_EH_PE_absptr, udata2/4/8, sdata2/4/8, uleb128, sleb128).</summary>
    public PointerFormat Format => (PointerFormat)(Value & 0x0f);

    /// <summary>What the value is relative to (DW_EH_PE_pcrel, textrel, datarel, funcrel, aligned).</summary>
    public PointerApplication Application => (PointerApplication)(Value & 0x70);

    /// <summary>DW_EH_PE_indirect: the decoded value is the address of the real pointer.</summary>
    public bool IsIndirect => (Value & 0x80) != 0;

    /// <summary>The size in bytes of a value in this encoding, or 0 for the variable-length LEB128 forms.</summary>
    public int FixedSize(int addressSize) => Format switch
    {
        PointerFormat.AbsolutePointer => addressSize,
        PointerFormat.Udata2 or PointerFormat.Sdata2 => 2,
        PointerFormat.Udata4 or PointerFormat.Sdata4 => 4,
        PointerFormat.Udata8 or PointerFormat.Sdata8 => 8,
        _ => 0,
    };

    /// <summary>The encoding as a hexadecimal byte.</summary>
    public override string ToString() => $"0x{Value:x2}";
}

/// <summary>The value format half of a DW_EH_PE_* encoding.</summary>
public enum PointerFormat : byte
{
    AbsolutePointer = 0x00, // DW_EH_PE_absptr
    Uleb128 = 0x01,         // DW_EH_PE_uleb128
    Udata2 = 0x02,          // DW_EH_PE_udata2
    Udata4 = 0x03,          // DW_EH_PE_udata4
    Udata8 = 0x04,          // DW_EH_PE_udata8
    Sleb128 = 0x09,         // DW_EH_PE_sleb128
    Sdata2 = 0x0a,          // DW_EH_PE_sdata2
    Sdata4 = 0x0b,          // DW_EH_PE_sdata4
    Sdata8 = 0x0c,          // DW_EH_PE_sdata8
}

/// <summary>The application half of a DW_EH_PE_* encoding: the base the value is added to.</summary>
public enum PointerApplication : byte
{
    Absolute = 0x00,         // DW_EH_PE_absptr
    PcRelative = 0x10,       // DW_EH_PE_pcrel
    TextRelative = 0x20,     // DW_EH_PE_textrel
    DataRelative = 0x30,     // DW_EH_PE_datarel
    FunctionRelative = 0x40, // DW_EH_PE_funcrel
    Aligned = 0x50,          // DW_EH_PE_aligned
}

/// <summary>A decoded encoded pointer: its value and whether it still has to be dereferenced (DW_EH_PE_indirect).</summary>
public readonly record struct EncodedPointer(ulong Value, bool IsIndirect);

/// <summary>The base addresses DW_EH_PE_textrel and DW_EH_PE_datarel values are relative to (0 when unknown).</summary>
public readonly record struct PointerBases(ulong TextAddress = 0, ulong DataAddress = 0);
