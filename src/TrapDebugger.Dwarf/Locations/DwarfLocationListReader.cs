using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>Reads location lists from .debug_loc (DWARF 2–4) and .debug_loclists (DWARF 5) into (range, expression bytes) entries.</summary>
/// <remarks>Evaluating the expressions is the expression evaluator's job; this reader only finds them.</remarks>
public static class DwarfLocationListReader
{
    private const int MaxEntries = 1 << 20;

    /// <summary>The entries of the location list an attribute value (sec_offset or loclistx) refers to.</summary>
    public static IReadOnlyList<DwarfLocationListEntry> Read(DwarfAttributeValue value)
    {
        var unit = value.Unit;
        try
        {
            ulong offset = value.Form == DwarfForm.Loclistx ? unit.ReadLocationListOffset(value.RawValue) : value.RawValue;
            return unit.Version >= 5 ? ReadLocLists(unit, offset) : ReadLegacy(unit, offset);
        }
        catch (InvalidDataException e)
        {
            throw ReadError.InFile(unit.File.Sections.FileName, e);
        }
    }

    /// <summary>Reads the DWARF 2–4 list at <paramref name="offset"/> of .debug_loc.</summary>
    public static IReadOnlyList<DwarfLocationListEntry> ReadLegacy(DwarfUnit unit, ulong offset)
    {
        var section = unit.File.Sections.Loc;
        if (offset >= (ulong)section.Length)
            throw DwarfError.At(".debug_loc", (long)Math.Min(offset, long.MaxValue), "location list offset is outside the section");
        var r = new ByteReader(section.Span, ".debug_loc", (int)offset);
        ulong max = unit.AddressSize == 4 ? uint.MaxValue : ulong.MaxValue;
        ulong baseAddress = unit.BaseAddress;
        var list = new List<DwarfLocationListEntry>();
        for (int n = 0; n < MaxEntries; n++)
        {
            ulong begin = r.ReadUnsigned(unit.AddressSize), end = r.ReadUnsigned(unit.AddressSize);
            if (begin == 0 && end == 0) return list;
            if (begin == max) { baseAddress = end; continue; }
            int length = r.ReadU16();
            int at = r.Position;
            r.Skip(length);
            list.Add(new(new DwarfRange(baseAddress + begin, baseAddress + end), section.Slice(at, length)));
        }
        throw DwarfError.At(".debug_loc", (long)offset, $"location list has more than {MaxEntries} entries");
    }

    /// <summary>Reads the DWARF 5 list at <paramref name="offset"/> of .debug_loclists.</summary>
    public static IReadOnlyList<DwarfLocationListEntry> ReadLocLists(DwarfUnit unit, ulong offset)
    {
        var section = unit.File.Sections.Loclists;
        if (offset >= (ulong)section.Length)
            throw DwarfError.At(".debug_loclists", (long)Math.Min(offset, long.MaxValue), "location list offset is outside the section");
        var r = new ByteReader(section.Span, ".debug_loclists", (int)offset);
        ulong baseAddress = unit.BaseAddress;
        var list = new List<DwarfLocationListEntry>();
        for (int n = 0; n < MaxEntries; n++)
        {
            int at = r.Position;
            byte kind = r.ReadU8();
            DwarfRange? range;
            switch (kind)
            {
                case 0: return list;                                                                  // DW_LLE_end_of_list
                case 1: baseAddress = unit.ReadIndexedAddress(r.ReadUleb128()); continue;              // DW_LLE_base_addressx
                case 2: range = new(unit.ReadIndexedAddress(r.ReadUleb128()), unit.ReadIndexedAddress(r.ReadUleb128())); break; // DW_LLE_startx_endx
                case 3: { ulong lo = unit.ReadIndexedAddress(r.ReadUleb128()); range = new(lo, lo + r.ReadUleb128()); break; } // DW_LLE_startx_length
                case 4: range = new(baseAddress + r.ReadUleb128(), baseAddress + r.ReadUleb128()); break; // DW_LLE_offset_pair
                case 5: range = null; break;                                                          // DW_LLE_default_location
                case 6: baseAddress = r.ReadUnsigned(unit.AddressSize); continue;                     // DW_LLE_base_address
                case 7: range = new(r.ReadUnsigned(unit.AddressSize), r.ReadUnsigned(unit.AddressSize)); break; // DW_LLE_start_end
                case 8: { ulong lo = r.ReadUnsigned(unit.AddressSize); range = new(lo, lo + r.ReadUleb128()); break; } // DW_LLE_start_length
                case 9: r.ReadUleb128(); r.ReadUleb128(); continue;                                   // DW_LLE_GNU_view_pair
                default: throw DwarfError.At(".debug_loclists", at, $"unknown location list entry kind 0x{kind:x}");
            }
            ulong length = r.ReadUleb128();
            if (length > (ulong)r.Remaining)
                throw DwarfError.At(".debug_loclists", r.Position, $"expression of {length} bytes runs past the end of the section");
            int exprAt = r.Position;
            r.Skip((long)length);
            list.Add(new(range, section.Slice(exprAt, (int)length)));
        }
        throw DwarfError.At(".debug_loclists", (long)offset, $"location list has more than {MaxEntries} entries");
    }
}
