using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>The raw (decompressed) DWARF sections of one object file; a missing section is empty.</summary>
/// <remarks>Sections read from an ELF file are mapped or inflated on first use, each once: a question that needs only
/// the line tables does not wait for .debug_info to be inflated (glibc's debug file is compressed).</remarks>
public sealed class DwarfSections
{
    /// <summary>The file the sections were read from (a program, a separate debug file, a .dwo or a .dwp), named in errors.</summary>
    public string? FileName { get; init; }

    private static readonly Lazy<ReadOnlyMemory<byte>> Absent = new(ReadOnlyMemory<byte>.Empty);
    private Lazy<ReadOnlyMemory<byte>> _info = Absent;
    private Lazy<ReadOnlyMemory<byte>> _types = Absent;
    private Lazy<ReadOnlyMemory<byte>> _abbrev = Absent;
    private Lazy<ReadOnlyMemory<byte>> _str = Absent;
    private Lazy<ReadOnlyMemory<byte>> _lineStr = Absent;
    private Lazy<ReadOnlyMemory<byte>> _strOffsets = Absent;
    private Lazy<ReadOnlyMemory<byte>> _addr = Absent;
    private Lazy<ReadOnlyMemory<byte>> _ranges = Absent;
    private Lazy<ReadOnlyMemory<byte>> _rnglists = Absent;
    private Lazy<ReadOnlyMemory<byte>> _loc = Absent;
    private Lazy<ReadOnlyMemory<byte>> _loclists = Absent;
    private Lazy<ReadOnlyMemory<byte>> _aranges = Absent;
    private Lazy<ReadOnlyMemory<byte>> _names = Absent;
    private Lazy<ReadOnlyMemory<byte>> _line = Absent;

    /// <summary>.debug_info.</summary>
    public ReadOnlyMemory<byte> Info { get => _info.Value; init => _info = new(value); }
    /// <summary>.debug_types.</summary>
    public ReadOnlyMemory<byte> Types { get => _types.Value; init => _types = new(value); }
    /// <summary>.debug_abbrev.</summary>
    public ReadOnlyMemory<byte> Abbrev { get => _abbrev.Value; init => _abbrev = new(value); }
    /// <summary>.debug_str.</summary>
    public ReadOnlyMemory<byte> Str { get => _str.Value; init => _str = new(value); }
    /// <summary>.debug_line_str.</summary>
    public ReadOnlyMemory<byte> LineStr { get => _lineStr.Value; init => _lineStr = new(value); }
    /// <summary>.debug_str_offsets.</summary>
    public ReadOnlyMemory<byte> StrOffsets { get => _strOffsets.Value; init => _strOffsets = new(value); }
    /// <summary>.debug_addr.</summary>
    public ReadOnlyMemory<byte> Addr { get => _addr.Value; init => _addr = new(value); }
    /// <summary>.debug_ranges.</summary>
    public ReadOnlyMemory<byte> Ranges { get => _ranges.Value; init => _ranges = new(value); }
    /// <summary>.debug_rnglists.</summary>
    public ReadOnlyMemory<byte> Rnglists { get => _rnglists.Value; init => _rnglists = new(value); }
    /// <summary>.debug_loc.</summary>
    public ReadOnlyMemory<byte> Loc { get => _loc.Value; init => _loc = new(value); }
    /// <summary>.debug_loclists.</summary>
    public ReadOnlyMemory<byte> Loclists { get => _loclists.Value; init => _loclists = new(value); }
    /// <summary>.debug_aranges.</summary>
    public ReadOnlyMemory<byte> Aranges { get => _aranges.Value; init => _aranges = new(value); }
    /// <summary>.debug_names.</summary>
    public ReadOnlyMemory<byte> Names { get => _names.Value; init => _names = new(value); }
    /// <summary>.debug_line.</summary>
    public ReadOnlyMemory<byte> Line { get => _line.Value; init => _line = new(value); }

    /// <summary>The DWARF sections of <paramref name="elf"/>, each mapped (and inflated when compressed) on first use.</summary>
    public static DwarfSections FromElf(ElfFile elf)
    {
        Lazy<ReadOnlyMemory<byte>> Load(string name) => new(() => elf.GetDebugSection(name), LazyThreadSafetyMode.ExecutionAndPublication);
        return new DwarfSections
        {
            FileName = elf.Name,
            _info = Load(".debug_info"),
            _types = Load(".debug_types"),
            _abbrev = Load(".debug_abbrev"),
            _str = Load(".debug_str"),
            _lineStr = Load(".debug_line_str"),
            _strOffsets = Load(".debug_str_offsets"),
            _addr = Load(".debug_addr"),
            _ranges = Load(".debug_ranges"),
            _rnglists = Load(".debug_rnglists"),
            _loc = Load(".debug_loc"),
            _loclists = Load(".debug_loclists"),
            _aranges = Load(".debug_aranges"),
            _names = Load(".debug_names"),
            _line = Load(".debug_line"),
        };
    }
}
