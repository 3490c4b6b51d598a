namespace TrapDebugger.Elf;

/// <summary>The symbols of an ELF file (.symtab and .dynsym) with an address index for lookups.</summary>
public sealed class ElfSymbolTable
{
    private const int SymbolSize = 24; // sizeof(Elf64_Sym)
    private readonly ElfSymbol[] _byAddress;

    internal ElfSymbolTable(ElfFile file)
    {
        var all = new List<ElfSymbol>();
        foreach (var s in file.Sections)
        {
            if (s.Type is not (ElfSectionType.SymbolTable or ElfSectionType.DynamicSymbolTable))
                continue;
            bool dynamic = s.Type == ElfSectionType.DynamicSymbolTable;
            var data = file.GetSectionData(s).Span;
            var strings = s.Link < file.Sections.Count ? file.GetSectionData(file.Sections[(int)s.Link]).Span : default;
            var stringsOrigin = $"{file.Name} section {(s.Link < file.Sections.Count ? file.Sections[(int)s.Link].Name : s.Name)}";
            var r = new ByteReader(data, $"{file.Name} section {s.Name}");
            // Entry 0 is the reserved null symbol.
            for (int i = 1; i < data.Length / SymbolSize; i++)
            {
                r.Position = i * SymbolSize;
                uint name = r.ReadU32();    // st_name
                byte info = r.ReadU8();     // st_info
                byte other = r.ReadU8();    // st_other
                ushort shndx = r.ReadU16(); // st_shndx
                ulong value = r.ReadU64();  // st_value
                ulong size = r.ReadU64();   // st_size
                var symbol = new ElfSymbol(ElfFile.ReadString(strings, name, stringsOrigin), value, size,
                    (ElfSymbolType)(info & 0xf), (ElfSymbolBinding)(info >> 4), (ElfSymbolVisibility)(other & 3), shndx, dynamic);
                (dynamic ? Dynamic : Static).Add(symbol);
            }
        }
        ApplyVersions(file);
        All = [.. Static, .. Dynamic];
        // Address lookups want one symbol per code or data start; .symtab is preferred over .dynsym because it is a superset.
        var source = Static.Count > 0 ? Static : Dynamic;
        _byAddress = source.Where(IsAddressable).OrderBy(s => s.Value).ThenByDescending(s => s.Size).ToArray();
    }

    // .gnu.version holds one index per .dynsym entry; .gnu.version_d and .gnu.version_r name the indexes.
    private void ApplyVersions(ElfFile file)
    {
        var versym = file.Sections.FirstOrDefault(s => s.Type == (ElfSectionType)0x6fffffff);
        if (versym == null || Dynamic.Count == 0) return;
        var names = new Dictionary<ushort, string>();
        foreach (var s in file.Sections)
        {
            bool isDef = s.Type == (ElfSectionType)0x6ffffffd, isNeed = s.Type == (ElfSectionType)0x6ffffffe;
            if (!isDef && !isNeed) continue;
            var data = file.GetSectionData(s).Span;
            var strings = s.Link < file.Sections.Count ? file.GetSectionData(file.Sections[(int)s.Link]).Span : default;
            var origin = $"{file.Name} section {s.Name}";
            int at = 0;
            for (int n = 0; n < 65536 && at + 16 <= data.Length; n++)
            {
                var r = new ByteReader(data, origin, at);
                if (isDef)
                {
                    r.ReadU16(); ushort flags = r.ReadU16(); ushort index = r.ReadU16(); r.ReadU16(); r.ReadU32(); // vd_version, vd_flags, vd_ndx, vd_cnt, vd_hash
                    uint aux = r.ReadU32(), next = r.ReadU32();                                                 // vd_aux, vd_next
                    if ((flags & 1) == 0 && (ulong)at + aux + 4 <= (ulong)data.Length)                          // not VER_FLG_BASE
                        names[(ushort)(index & 0x7fff)] = ElfFile.ReadString(strings, new ByteReader(data, origin, (int)(at + aux)).ReadU32(), origin);
                    if (next == 0) break;
                    at += (int)Math.Min(next, int.MaxValue - at);
                }
                else
                {
                    r.ReadU16(); ushort count = r.ReadU16(); r.ReadU32();                                        // vn_version, vn_cnt, vn_file
                    uint aux = r.ReadU32(), next = r.ReadU32();                                                 // vn_aux, vn_next
                    long auxAt = at + (long)aux;
                    for (int k = 0; k < count && auxAt + 16 <= data.Length; k++)
                    {
                        var a = new ByteReader(data, origin, (int)auxAt);
                        a.ReadU32(); a.ReadU16(); ushort other = a.ReadU16();                                     // vna_hash, vna_flags, vna_other
                        uint name = a.ReadU32(), anext = a.ReadU32();                                             // vna_name, vna_next
                        names[(ushort)(other & 0x7fff)] = ElfFile.ReadString(strings, name, origin);
                        if (anext == 0) break;
                        auxAt += anext;
                    }
                    if (next == 0) break;
                    at += (int)Math.Min(next, int.MaxValue - at);
                }
            }
        }
        var versions = file.GetSectionData(versym).Span;
        for (int i = 0; i < Dynamic.Count && (i + 2) * 2 <= versions.Length; i++)
        {
            // Entry 0 of .gnu.version belongs to the null symbol that Dynamic leaves out.
            ushort v = (ushort)(versions[(i + 1) * 2] | versions[(i + 1) * 2 + 1] << 8);
            ushort index = (ushort)(v & 0x7fff);
            if (index <= 1 || !names.TryGetValue(index, out var version)) continue;
            var s = Dynamic[i];
            Dynamic[i] = s with { Version = version, IsDefaultVersion = !s.IsUndefined && (v & 0x8000) == 0 };
        }
    }

    /// <summary>Symbols of .symtab in file order (without the null entry).</summary>
    public List<ElfSymbol> Static { get; } = [];

    /// <summary>Symbols of .dynsym in file order (without the null entry).</summary>
    public List<ElfSymbol> Dynamic { get; } = [];

    /// <summary>Every symbol: .symtab then .dynsym.</summary>
    public IReadOnlyList<ElfSymbol> All { get; }

    /// <summary>Defined functions and data objects sorted by address (from .symtab, or .dynsym when the file is stripped).</summary>
    public IReadOnlyList<ElfSymbol> ByAddress => _byAddress;

    /// <summary>The defined function or object symbol covering link-time <paramref name="address"/>, or null.</summary>
    /// <remarks>A symbol with size 0 covers addresses up to the next symbol, as llvm-symbolizer and gdb assume.</remarks>
    public ElfSymbol? FindByAddress(ulong address)
    {
        int lo = 0, hi = _byAddress.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_byAddress[mid].Value <= address) lo = mid + 1; else hi = mid;
        }
        for (int i = lo - 1; i >= 0 && _byAddress[i].Value == _byAddress[lo - 1].Value; i--)
        {
            var s = _byAddress[i];
            if (s.Size == 0 || address - s.Value < s.Size)
                return s;
        }
        return null;
    }

    /// <summary>Every defined symbol called <paramref name="name"/>.</summary>
    public IEnumerable<ElfSymbol> FindByName(string name) => All.Where(s => !s.IsUndefined && s.Name == name);

    private static bool IsAddressable(ElfSymbol s) =>
        !s.IsUndefined && !s.IsAbsolute && !s.IsCommon && s.Name.Length > 0 &&
        s.Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction or ElfSymbolType.Object;
}
