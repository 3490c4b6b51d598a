namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>Which section a call frame table came from; the two differ in CIE ids, CIE pointers and address encoding.</summary>
public enum CallFrameSectionKind
{
    /// <summary>.eh_frame: the loaded unwind table (LSB format, pointer encodings, CIE pointer relative to itself).</summary>
    EhFrame,

    /// <summary>.debug_frame: the DWARF standard table (absolute addresses, CIE pointer is a section offset).</summary>
    DebugFrame,
}
