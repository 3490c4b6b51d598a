using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>Reads the address ranges of a DIE: DW_AT_low_pc/high_pc, or DW_AT_ranges into .debug_ranges (DWARF 2–4) or .debug_rnglists (DWARF 5).</summary>
public static class DwarfRangeReader
{
    private const int MaxEntries = 1 << 20;

    /// <summary>The ranges of <paramref name="die"/>; empty ranges are dropped.</summary>
    public static IReadOnlyList<DwarfRange> RangesOf(DwarfDie die) =>
        FromAttributes(die.Unit, die.Find(DwarfAttribute.LowPc), die.Find(DwarfAttribute.HighPc), die.Find(DwarfAttribute.Ranges));

    /// <summary>The ranges described by a DIE's DW_AT_low_pc, DW_AT_high_pc and DW_AT_ranges values (any may be absent).</summary>
    public static IReadOnlyList<DwarfRange> FromAttributes(DwarfUnit unit, DwarfAttributeValue? lowPc, DwarfAttributeValue? highPc, DwarfAttributeValue? ranges)
    {
        try
        {
            return Read(unit, lowPc, highPc, ranges);
        }
        catch (InvalidDataException e)
        {
            throw ReadError.InFile(unit.File.Sections.FileName, e);
        }
    }

    private static IReadOnlyList<DwarfRange> Read(DwarfUnit unit, DwarfAttributeValue? lowPc, DwarfAttributeValue? highPc, DwarfAttributeValue? ranges)
    {
        if (ranges is { } rv)
        {
            ulong offset = rv.Form == DwarfForm.Rnglistx ? unit.ReadRangeListOffset(rv.RawValue) : rv.RawValue;
            // In a DWARF 5 unit DW_FORM_sec_offset of DW_AT_ranges points into .debug_rnglists; before that, into .debug_ranges.
            return unit.Version >= 5 ? ReadRangeList(unit, offset) : ReadLegacyRanges(unit, offset);
        }
        if (lowPc is { } lowAttr && highPc is { } highAttr)
        {
            ulong low = lowAttr.AsAddress();
            ulong high = highAttr.IsAddress ? highAttr.AsAddress() : low + highAttr.RawValue;
            return high > low ? [new DwarfRange(low, high)] : [];
        }
        return [];
    }

    /// <summary>Reads the DWARF 2–4 range list at <paramref name="offset"/> of .debug_ranges.</summary>
    public static IReadOnlyList<DwarfRange> ReadLegacyRanges(DwarfUnit unit, ulong offset)
    {
        var data = unit.File.Sections.Ranges.Span;
        if (offset >= (ulong)data.Length)
            throw DwarfError.At(".debug_ranges", (long)Math.Min(offset, long.MaxValue), "range list offset is outside the section");
        var r = new ByteReader(data, ".debug_ranges", (int)offset);
        ulong max = unit.AddressSize == 4 ? uint.MaxValue : ulong.MaxValue;
        ulong baseAddress = unit.BaseAddress;
        var list = new List<DwarfRange>();
        for (int n = 0; n < MaxEntries; n++)
        {
            ulong begin = r.ReadUnsigned(unit.AddressSize), end = r.ReadUnsigned(unit.AddressSize);
            if (begin == 0 && end == 0) break;
            if (begin == max) { baseAddress = end; continue; }
            if (end > begin) list.Add(new DwarfRange(baseAddress + begin, baseAddress + end));
        }
        return list;
    }

    /// <summary>Reads the DWARF 5 range list at <paramref name="offset"/> of .debug_rnglists.</summary>
    public static IReadOnlyList<DwarfRange> ReadRangeList(DwarfUnit unit, ulong offset)
    {
        var data = unit.File.Sections.Rnglists.Span;
        if (offset >= (ulong)data.Length)
            throw DwarfError.At(".debug_rnglists", (long)Math.Min(offset, long.MaxValue), "range list offset is outside the section");
        var r = new ByteReader(data, ".debug_rnglists", (int)offset);
        ulong baseAddress = unit.BaseAddress;
        var list = new List<DwarfRange>();
        for (int n = 0; n < MaxEntries; n++)
        {
            int at = r.Position;
            byte kind = r.ReadU8();
            ulong low, high;
            switch (kind)
            {
                case 0: return list;                                                      // DW_RLE_end_of_list
                case 1: baseAddress = unit.ReadIndexedAddress(r.ReadUleb128()); continue;  // DW_RLE_base_addressx
                case 2: low = unit.ReadIndexedAddress(r.ReadUleb128()); high = unit.ReadIndexedAddress(r.ReadUleb128()); break; // DW_RLE_startx_endx
                case 3: low = unit.ReadIndexedAddress(r.ReadUleb128()); high = low + r.ReadUleb128(); break; // DW_RLE_startx_length
                case 4: low = baseAddress + r.ReadUleb128(); high = baseAddress + r.ReadUleb128(); break;   // DW_RLE_offset_pair
                case 5: baseAddress = r.ReadUnsigned(unit.AddressSize); continue;       // DW_RLE_base_address
                case 6: low = r.ReadUnsigned(unit.AddressSize); high = r.ReadUnsigned(unit.AddressSize); break; // DW_RLE_start_end
                case 7: low = r.ReadUnsigned(unit.AddressSize); high = low + r.ReadUleb128(); break; // DW_RLE_start_length
                default: throw DwarfError.At(".debug_rnglists", at, $"unknown range list entry kind 0x{kind:x}");
            }
            if (high > low) list.Add(new DwarfRange(low, high));
        }
        throw DwarfError.At(".debug_rnglists", (long)offset, $"range list has more than {MaxEntries} entries");
    }
}
