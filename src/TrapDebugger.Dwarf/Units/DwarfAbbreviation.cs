namespace TrapDebugger.Dwarf;

/// <summary>One attribute specification of an abbreviation: name, form and (for DW_FORM_implicit_const) the value.</summary>
public readonly record struct DwarfAttributeSpec(DwarfAttribute Name, DwarfForm Form, long ImplicitConst);

/// <summary>One abbreviation declaration from .debug_abbrev: the shape every DIE with its code shares.</summary>
public sealed record DwarfAbbreviation(ulong Code, DwarfTag Tag, bool HasChildren, DwarfAttributeSpec[] Attributes)
{
    // Which of the attributes DW_AT 0–127 the declaration has: most lookups are of attributes it lacks (a name query asks
    // every subroutine for DW_AT_declaration, DW_AT_linkage_name, …), answered here without a scan.
    private readonly UInt128 _present = Presence(Attributes);

    /// <summary>The index of <paramref name="name"/> in <see cref="Attributes"/>, or -1.</summary>
    public int IndexOf(DwarfAttribute name)
    {
        if ((ushort)name < 128 && (_present & (UInt128.One << (ushort)name)) == UInt128.Zero) return -1;
        for (int i = 0; i < Attributes.Length; i++)
            if (Attributes[i].Name == name) return i;
        return -1;
    }

    private static UInt128 Presence(DwarfAttributeSpec[] attributes)
    {
        var present = UInt128.Zero;
        foreach (var a in attributes)
            if ((ushort)a.Name < 128) present |= UInt128.One << (ushort)a.Name;
        return present;
    }
}

/// <summary>An abbreviation table (all declarations from one offset in .debug_abbrev up to the terminating 0).</summary>
public sealed class DwarfAbbreviationTable
{
    private const int MaxAttributes = 4096;
    private readonly Dictionary<ulong, int> _byCode = [];
    private readonly List<DwarfAbbreviation> _list = [];

    /// <summary>Parses the table at <paramref name="offset"/> of .debug_abbrev.</summary>
    public DwarfAbbreviationTable(ReadOnlySpan<byte> abbrev, int offset)
    {
        Offset = offset;
        if ((uint)offset > (uint)abbrev.Length)
            throw DwarfError.At(".debug_abbrev", offset, "abbreviation table offset is outside the section");
        var r = new Elf.ByteReader(abbrev, ".debug_abbrev", offset);
        var specs = new List<DwarfAttributeSpec>();
        while (true)
        {
            ulong code = r.ReadUleb128();
            if (code == 0) break;
            ulong tag = r.ReadUleb128();
            bool children = r.ReadU8() != 0;
            specs.Clear();
            while (true)
            {
                int at = r.Position;
                ulong name = r.ReadUleb128(), form = r.ReadUleb128();
                if (name == 0 && form == 0) break;
                long implicitConst = form == (ulong)DwarfForm.ImplicitConst ? r.ReadSleb128() : 0;
                if (name > ushort.MaxValue || form > ushort.MaxValue)
                    throw DwarfError.At(".debug_abbrev", at, $"attribute 0x{name:x} or form 0x{form:x} is out of range");
                if (specs.Count >= MaxAttributes)
                    throw DwarfError.At(".debug_abbrev", at, $"abbreviation {code} has more than {MaxAttributes} attributes");
                specs.Add(new((DwarfAttribute)name, (DwarfForm)form, implicitConst));
            }
            if (tag > ushort.MaxValue)
                throw DwarfError.At(".debug_abbrev", r.Position, $"tag 0x{tag:x} is out of range");
            _byCode[code] = _list.Count;
            _list.Add(new DwarfAbbreviation(code, (DwarfTag)tag, children, [.. specs]));
        }
    }

    /// <summary>The offset of the table in .debug_abbrev.</summary>
    public int Offset { get; }

    /// <summary>Every declaration in file order.</summary>
    public IReadOnlyList<DwarfAbbreviation> Declarations => _list;

    internal DwarfAbbreviation this[int index] => _list[index];

    internal int IndexOf(ulong code) => _byCode.TryGetValue(code, out int i) ? i : -1;

    /// <summary>The declaration with <paramref name="code"/>, or null.</summary>
    public DwarfAbbreviation? Find(ulong code) => _byCode.TryGetValue(code, out int i) ? _list[i] : null;
}
