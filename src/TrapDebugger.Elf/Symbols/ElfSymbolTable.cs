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
                var symbol = new ElfSymbol(ElfFile.ReadString(strings, name), value, size,
                    (ElfSymbolType)(info & 0xf), (ElfSymbolBinding)(info >> 4), (ElfSymbolVisibility)(other & 3), shndx, dynamic);
                (dynamic ? Dynamic : Static).Add(symbol);
            }
        }
        All = [.. Static, .. Dynamic];
        // Address lookups want one symbol per code or data start; .symtab is preferred over .dynsym because it is a superset.
        var source = Static.Count > 0 ? Static : Dynamic;
        _byAddress = source.Where(IsAddressable).OrderBy(s => s.Value).ThenByDescending(s => s.Size).ToArray();
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
