namespace TrapDebugger.Dwarf;

/// <summary>The compact per-DIE record a parsed unit keeps: where the DIE starts, its abbreviation and its place in the tree.</summary>
/// <remarks>Sixteen bytes per DIE; attribute values are decoded from the section on demand, so a large unit costs
/// little more memory than its DIE count.</remarks>
internal readonly record struct DieEntry(int Offset, int Parent, int NextSibling, int AbbreviationIndex);
