using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>The .debug_aranges tables: which compile unit (by .debug_info offset) covers which addresses.</summary>
public static class DwarfAddressRangeTable
{
    private const int MaxTuples = 1 << 22;

    /// <summary>Every (range, unit offset) tuple of .debug_aranges.</summary>
    public static List<(DwarfRange Range, long UnitOffset)> Read(ReadOnlySpan<byte> aranges)
    {
        var list = new List<(DwarfRange, long)>();
        int offset = 0;
        while (offset < aranges.Length)
        {
            var r = new ByteReader(aranges, ".debug_aranges", offset);
            ulong length = r.ReadU32();
            int offsetSize = 4;
            if (length == 0xffffffff) { length = r.ReadU64(); offsetSize = 8; }
            if (length > (ulong)r.Remaining)
                throw DwarfError.At(".debug_aranges", offset, $"set length 0x{length:x} runs past the end of the section");
            int end = r.Position + (int)length;
            r.ReadU16(); // version
            long unitOffset = (long)r.ReadUnsigned(offsetSize);
            byte addressSize = r.ReadU8();
            r.ReadU8(); // segment_selector_size
            if (addressSize is not (4 or 8))
                throw DwarfError.At(".debug_aranges", offset, $"unsupported address size {addressSize}");
            // Tuples start at a multiple of twice the address size from the set's start.
            int tupleSize = 2 * addressSize;
            int rel = r.Position - offset;
            r.Position = Math.Min(end, offset + (rel + tupleSize - 1) / tupleSize * tupleSize);
            while (r.Position + tupleSize <= end)
            {
                ulong start = r.ReadUnsigned(addressSize), size = r.ReadUnsigned(addressSize);
                if (start == 0 && size == 0) break;
                if (size > 0) list.Add((new DwarfRange(start, start + size), unitOffset));
                if (list.Count > MaxTuples)
                    throw DwarfError.At(".debug_aranges", r.Position, $"more than {MaxTuples} address ranges");
            }
            offset = end;
        }
        return list;
    }
}
