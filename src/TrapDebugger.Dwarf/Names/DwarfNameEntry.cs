namespace TrapDebugger.Dwarf;

/// <summary>One entry of a .debug_names name index: a DIE that has the name, with the unit it lives in.</summary>
/// <param name="EntryOffset">Offset of the entry in .debug_names (what DW_IDX_parent of another entry refers to).</param>
/// <param name="Tag">The DIE's tag.</param>
/// <param name="UnitOffset">The .debug_info offset of the unit (compile unit or local type unit); -1 for a foreign type unit.</param>
/// <param name="DieOffset">DW_IDX_die_offset: the DIE's offset from the start of its unit.</param>
/// <param name="ParentEntryOffset">The .debug_names offset of the parent DIE's entry, or -1 when the parent is not indexed or not given.</param>
/// <param name="IsTypeUnit">True when the DIE lives in a type unit (DW_IDX_type_unit).</param>
/// <param name="TypeSignature">The signature of a foreign type unit (0 otherwise).</param>
public readonly record struct DwarfNameEntry(long EntryOffset, DwarfTag Tag, long UnitOffset, ulong DieOffset, long ParentEntryOffset, bool IsTypeUnit, ulong TypeSignature)
{
    /// <summary>The DIE's offset in its section (unit offset plus DW_IDX_die_offset), or -1 for a foreign type unit.</summary>
    public long DieSectionOffset => UnitOffset < 0 ? -1 : UnitOffset + (long)DieOffset;
}
