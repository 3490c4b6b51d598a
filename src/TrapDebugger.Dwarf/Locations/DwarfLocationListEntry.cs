namespace TrapDebugger.Dwarf;

/// <summary>One entry of a location list: where it applies (null for a DW_LLE_default_location) and the raw DWARF expression.</summary>
public readonly record struct DwarfLocationListEntry(DwarfRange? Range, ReadOnlyMemory<byte> Expression);
