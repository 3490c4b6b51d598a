using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace TrapDebugger.Dwarf;

/// <summary>Finds, without parsing any DIE, the units that can possibly name a function <c>name</c>, so a single name query
/// parses a handful of units instead of all of them.</summary>
/// <remarks>
/// A DIE's DW_AT_name or DW_AT_linkage_name is a string of .debug_str reached through an offset: stored in the DIE
/// (DW_FORM_strp) or in the unit's contribution to .debug_str_offsets (DW_FORM_strx*). So a unit can name the query
/// only if those places hold the offsets of .debug_str strings equal to the query, or to every part of it as a
/// qualified name (the plain name of the DIE and the names of its enclosing scopes). The byte searches may match unaligned
/// bytes: a false positive only costs parsing one unit more. A unit whose names could come from elsewhere (inline
/// strings, supplementary files, references into other units) is always a candidate.
/// </remarks>
internal sealed class UnitNameFilter
{
    private readonly DwarfFile _dwarf;
    private readonly ConcurrentDictionary<long, FormUse> _formsByTable = new();

    public UnitNameFilter(DwarfFile dwarf) => _dwarf = dwarf;

    [Flags]
    private enum FormUse
    {
        None = 0,
        Strp = 1,
        Strx = 2,
        Inline = 4,
        Elsewhere = 8, // names or declarations that may live outside this unit's strings
    }

    /// <summary>The compile units that may contain a subprogram or inlined subroutine whose plain, qualified or linkage name is <paramref name="name"/>.</summary>
    public IReadOnlyList<DwarfUnit> Candidates(string name)
    {
        // Each alternative is a set of strings a unit must all reference to be a candidate.
        var alternatives = Alternatives(name);
        var offsets = new Dictionary<string, List<ulong>>(StringComparer.Ordinal);
        var str = _dwarf.Sections.Str.Span;
        foreach (var key in alternatives.SelectMany(a => a).Distinct())
        {
            var bytes = NulTerminated(key);
            var found = offsets[key] = [];
            for (int from = 0; from < str.Length;)
            {
                int hit = str[from..].IndexOf(bytes);
                if (hit < 0) break;
                found.Add((ulong)(from + hit));
                from += hit + 1;
            }
        }
        var result = new List<DwarfUnit>();
        foreach (var unit in _dwarf.CompileUnits)
            if (MayName(unit, alternatives, offsets))
                result.Add(unit);
        return result;
    }

    // A linkage or plain name equal to the query, or a qualified name whose parts are all strings of the unit:
    // the plain name last, then namespace, class and function names (anonymous scopes have no string). When the
    // query cannot be split safely (operator names hold '<' and '>'), any "::"-suffix may be the plain name.
    private static List<string[]> Alternatives(string name)
    {
        var alternatives = new List<string[]> { new[] { name } };
        if (SplitQualified(name) is { Count: > 1 } parts)
        {
            var named = parts.Where(p => !(p.StartsWith("(anonymous ", StringComparison.Ordinal) && p.EndsWith(')'))).ToArray();
            alternatives.Add(named);
            return alternatives;
        }
        for (int at = name.IndexOf("::", StringComparison.Ordinal); at >= 0; at = name.IndexOf("::", at + 2, StringComparison.Ordinal))
            if (at + 2 < name.Length)
                alternatives.Add([name[(at + 2)..]]);
        return alternatives;
    }

    // "ns::Box<std::pair<int, long>>::get" → ns, Box<std::pair<int, long>>, get; null when brackets do not balance
    // or an operator name makes '<' and '>' ambiguous.
    private static List<string>? SplitQualified(string name)
    {
        if (name.Contains("operator", StringComparison.Ordinal)) return null;
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c is '<' or '(' or '[') depth++;
            else if (c is '>' or ')' or ']') { if (--depth < 0) return null; }
            else if (c == ':' && depth == 0 && i + 1 < name.Length && name[i + 1] == ':')
            {
                if (i == start) return null;
                parts.Add(name[start..i]);
                start = i + 2;
                i++;
            }
        }
        if (depth != 0 || start >= name.Length) return null;
        parts.Add(name[start..]);
        return parts;
    }

    private static byte[] NulTerminated(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    private bool MayName(DwarfUnit unit, List<string[]> alternatives, Dictionary<string, List<ulong>> offsets)
    {
        // A skeleton's names are in its .dwo, whose strings this filter does not search.
        if (unit.IsSkeleton) return true;
        FormUse forms;
        try
        {
            forms = _formsByTable.GetOrAdd(unit.AbbreviationOffset, _ => Summarize(unit.Abbreviations));
        }
        catch (InvalidDataException)
        {
            return true; // let the parse of the unit report the damage
        }
        if ((forms & FormUse.Elsewhere) != 0) return true;
        var dies = unit.SectionData.Span[(int)unit.FirstDieOffset..(int)unit.EndOffset];
        var table = (forms & FormUse.Strx) != 0 ? StrOffsetsContribution(unit) : default;
        if ((forms & FormUse.Strx) != 0 && table.IsEmpty) return true;
        foreach (var keys in alternatives)
        {
            bool all = true;
            foreach (var key in keys)
                if (!References(key, offsets[key], forms, dies, table, unit.OffsetSize))
                {
                    all = false;
                    break;
                }
            if (all) return true;
        }
        return false;
    }

    private static bool References(string key, List<ulong> at, FormUse forms, ReadOnlySpan<byte> dies, ReadOnlySpan<byte> table, int offsetSize)
    {
        if ((forms & FormUse.Inline) != 0 && dies.IndexOf(NulTerminated(key)) >= 0) return true;
        if (at.Count == 0) return false;
        if ((forms & FormUse.Strp) != 0 && ContainsAny(dies, at, offsetSize)) return true;
        return (forms & FormUse.Strx) != 0 && ContainsAny(table, at, offsetSize);
    }

    private static bool ContainsAny(ReadOnlySpan<byte> bytes, List<ulong> offsets, int size)
    {
        Span<byte> pattern = stackalloc byte[8];
        foreach (ulong o in offsets)
        {
            if (size == 4 && o > uint.MaxValue) continue;
            BinaryPrimitives.WriteUInt64LittleEndian(pattern, o);
            if (bytes.IndexOf(pattern[..size]) >= 0) return true;
        }
        return false;
    }

    // The unit's slice of .debug_str_offsets: from its base to the end given by the DWARF 5 contribution header
    // (unit_length, version, padding just before the base); the rest of the section when there is no valid header.
    // Empty when the base itself is unusable, which makes the unit a candidate.
    private ReadOnlySpan<byte> StrOffsetsContribution(DwarfUnit unit)
    {
        var section = _dwarf.Sections.StrOffsets.Span;
        ulong start;
        try { start = unit.StrOffsetsBase; }
        catch (InvalidDataException) { return default; }
        if (start >= (ulong)section.Length) return default;
        ulong end = (ulong)section.Length;
        if (unit.Version >= 5 && start >= 8)
        {
            ulong length = unit.OffsetSize == 8 && start >= 16
                ? BinaryPrimitives.ReadUInt64LittleEndian(section[(int)(start - 12)..])
                : BinaryPrimitives.ReadUInt32LittleEndian(section[(int)(start - 8)..]);
            // unit_length counts from just past itself, which is 4 bytes before the base in both formats.
            if (length >= 4 && length - 4 <= end - start) end = start + length - 4;
        }
        return section[(int)start..(int)end];
    }

    private static FormUse Summarize(DwarfAbbreviationTable table)
    {
        var use = FormUse.None;
        foreach (var a in table.Declarations)
            foreach (var spec in a.Attributes)
            {
                use |= spec.Form switch
                {
                    DwarfForm.RefAddr or DwarfForm.RefSig8 or DwarfForm.RefSup4 or DwarfForm.RefSup8 or DwarfForm.GnuRefAlt
                        or DwarfForm.StrpSup or DwarfForm.GnuStrpAlt or DwarfForm.GnuStrIndex or DwarfForm.Indirect => FormUse.Elsewhere,
                    _ => FormUse.None,
                };
                if (spec.Name is not (DwarfAttribute.Name or DwarfAttribute.LinkageName or DwarfAttribute.MipsLinkageName)) continue;
                use |= spec.Form switch
                {
                    DwarfForm.Strp => FormUse.Strp,
                    DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 => FormUse.Strx,
                    DwarfForm.String => FormUse.Inline,
                    _ => FormUse.Elsewhere,
                };
            }
        return use;
    }
}
