namespace TrapDebugger.Dwarf;

/// <summary>The kind of a unit (DW_UT_*; DWARF 2–4 units are given the equivalent DWARF 5 kind).</summary>
public enum DwarfUnitType : byte
{
    Compile = 0x01, Type = 0x02, Partial = 0x03, Skeleton = 0x04, SplitCompile = 0x05, SplitType = 0x06,
}
