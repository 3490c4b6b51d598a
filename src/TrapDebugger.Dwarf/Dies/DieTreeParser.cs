using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>Walks a unit's DIEs once, skipping attribute values by their form's size, and records the tree.</summary>
internal static class DieTreeParser
{
    private const int MaxDepth = 4096;

    /// <summary>The unit's DIEs: the first <paramref name="count"/> entries of the returned array.</summary>
    public static DieEntry[] Parse(DwarfUnit unit, out int count)
    {
        var abbrevs = unit.Abbreviations;
        var r = new ByteReader(unit.SectionData.Span[..(int)unit.EndOffset], unit.SectionName, (int)unit.FirstDieOffset);
        // Rarely fewer than 16 bytes per DIE in clang and gcc output; the array grows when a unit is denser. It is not
        // zeroed: only the entries written are read, so the unused tail costs no memory the program touches.
        var entries = GC.AllocateUninitializedArray<DieEntry>(Math.Max(16, (int)((unit.EndOffset - unit.FirstDieOffset) / 16)));
        count = 0;
        // parents[d] is the index of the open DIE at depth d; lastChild[d] the last DIE seen at depth d (the root's level is 0).
        var parents = new int[64];
        var lastChild = new int[65];
        int depth = 0;
        lastChild[0] = -1;
        var ctx = new FormContext(unit.AddressSize, unit.OffsetSize, unit.Version);
        // Most DIEs use abbreviations whose attributes all have fixed sizes in this unit: one skip moves past them.
        var declarations = abbrevs.Declarations;
        // The others skip each attribute by the size its form has here (-1: read from the value).
        var fixedSizes = new int[declarations.Count];
        var attributeSizes = new int[declarations.Count][];
        for (int i = 0; i < fixedSizes.Length; i++)
        {
            var specs = declarations[i].Attributes;
            var sizes = attributeSizes[i] = new int[specs.Length];
            int total = 0;
            for (int k = 0; k < specs.Length; k++)
            {
                sizes[k] = FixedSize(specs[k].Form, ctx);
                total = total < 0 || sizes[k] < 0 ? -1 : total + sizes[k];
            }
            fixedSizes[i] = total;
        }
        // Producers number abbreviations 1, 2, 3, …: a table indexed by code replaces a hash lookup per DIE.
        ulong maxCode = 0;
        foreach (var d in declarations) maxCode = Math.Max(maxCode, d.Code);
        var byCode = maxCode <= (ulong)declarations.Count * 4 + 64 ? new int[maxCode + 1] : null;
        if (byCode != null)
        {
            Array.Fill(byCode, -1);
            for (int i = 0; i < declarations.Count; i++) byCode[declarations[i].Code] = i;
        }
        while (!r.AtEnd)
        {
            int at = r.Position;
            ulong code = r.ReadUleb128();
            if (code == 0)
            {
                // A null entry closes the current sibling chain; extra ones at the top level are padding.
                if (depth > 0) depth--;
                continue;
            }
            int abbrevIndex = byCode != null ? (code < (ulong)byCode.Length ? byCode[code] : -1) : abbrevs.IndexOf(code);
            if (abbrevIndex < 0)
                throw DwarfError.At(unit.SectionName, at, $"abbreviation code {code} is not in the table at .debug_abbrev+0x{unit.AbbreviationOffset:x}");
            var abbrev = abbrevs[abbrevIndex];
            int index = count;
            int parent = depth > 0 ? parents[depth - 1] : -1;
            if (parent < 0 && index > 0)
                break; // A unit has one root DIE; anything after it at the top level is not part of the tree.
            if (count == entries.Length)
            {
                var larger = GC.AllocateUninitializedArray<DieEntry>(entries.Length * 2);
                entries.AsSpan().CopyTo(larger);
                entries = larger;
            }
            entries[count++] = new DieEntry(at, parent, 0, abbrevIndex);
            int prev = lastChild[depth];
            if (prev >= 0)
                entries[prev] = entries[prev] with { NextSibling = index };
            lastChild[depth] = index;
            if (fixedSizes[abbrevIndex] >= 0)
                r.Skip(fixedSizes[abbrevIndex]);
            else
            {
                var specs = abbrev.Attributes;
                var sizes = attributeSizes[abbrevIndex];
                int pending = 0;
                for (int k = 0; k < specs.Length; k++)
                {
                    if (sizes[k] >= 0) { pending += sizes[k]; continue; }
                    if (pending > 0) { r.Skip(pending); pending = 0; }
                    SkipValue(ref r, specs[k].Form, ctx);
                }
                if (pending > 0) r.Skip(pending);
            }
            if (abbrev.HasChildren)
            {
                if (depth >= MaxDepth)
                    throw DwarfError.At(unit.SectionName, at, $"DIE nesting is deeper than {MaxDepth}");
                if (depth + 1 >= parents.Length)
                {
                    Array.Resize(ref parents, parents.Length * 2);
                    Array.Resize(ref lastChild, lastChild.Length * 2);
                }
                parents[depth++] = index;
                lastChild[depth] = -1;
            }
        }
        return entries;
    }

    internal readonly record struct FormContext(byte AddressSize, byte OffsetSize, ushort Version);

    /// <summary>Moves past one attribute value of <paramref name="form"/>.</summary>
    internal static void SkipValue(ref ByteReader r, DwarfForm form, FormContext ctx)
    {
        int size = FixedSize(form, ctx);
        if (size >= 0) { r.Skip(size); return; }
        switch (form)
        {
            case DwarfForm.Block1: r.Skip(r.ReadU8()); break;
            case DwarfForm.Block2: r.Skip(r.ReadU16()); break;
            case DwarfForm.Block4: r.Skip(r.ReadU32()); break;
            case DwarfForm.Block or DwarfForm.Exprloc: r.Skip((long)Math.Min(r.ReadUleb128(), long.MaxValue)); break;
            case DwarfForm.String: r.ReadCString(); break;
            case DwarfForm.Sdata: r.ReadSleb128(); break;
            case DwarfForm.Udata or DwarfForm.RefUdata or DwarfForm.Strx or DwarfForm.Addrx or DwarfForm.Loclistx
                or DwarfForm.Rnglistx or DwarfForm.GnuAddrIndex or DwarfForm.GnuStrIndex:
                r.ReadUleb128(); break;
            case DwarfForm.Indirect:
                int at = r.Position;
                ulong actual = r.ReadUleb128();
                if (actual == (ulong)DwarfForm.Indirect || actual == (ulong)DwarfForm.ImplicitConst || actual > ushort.MaxValue)
                    throw DwarfError.At(r.Origin, at, $"DW_FORM_indirect names form 0x{actual:x}, which cannot be used indirectly");
                SkipValue(ref r, (DwarfForm)actual, ctx);
                break;
            default:
                throw DwarfError.At(r.Origin, r.Position, $"unknown attribute form 0x{(ushort)form:x}; its size is unknown so the DIE cannot be skipped");
        }
    }

    /// <summary>The size of a fixed-size form's value, or -1 for variable-size forms.</summary>
    internal static int FixedSize(DwarfForm form, FormContext ctx) => form switch
    {
        DwarfForm.Addr => ctx.AddressSize,
        DwarfForm.Data1 or DwarfForm.Ref1 or DwarfForm.Flag or DwarfForm.Strx1 or DwarfForm.Addrx1 => 1,
        DwarfForm.Data2 or DwarfForm.Ref2 or DwarfForm.Strx2 or DwarfForm.Addrx2 => 2,
        DwarfForm.Strx3 or DwarfForm.Addrx3 => 3,
        DwarfForm.Data4 or DwarfForm.Ref4 or DwarfForm.Strx4 or DwarfForm.Addrx4 or DwarfForm.RefSup4 => 4,
        DwarfForm.Data8 or DwarfForm.Ref8 or DwarfForm.RefSig8 or DwarfForm.RefSup8 => 8,
        DwarfForm.Data16 => 16,
        DwarfForm.FlagPresent or DwarfForm.ImplicitConst => 0,
        DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.SecOffset or DwarfForm.StrpSup or DwarfForm.GnuRefAlt or DwarfForm.GnuStrpAlt => ctx.OffsetSize,
        DwarfForm.RefAddr => ctx.Version <= 2 ? ctx.AddressSize : ctx.OffsetSize,
        _ => -1,
    };
}
