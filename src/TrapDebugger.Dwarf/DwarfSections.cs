using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>The raw (already decompressed) DWARF sections of one object file; a missing section is empty.</summary>
public sealed record DwarfSections
{
    /// <summary>The file the sections were read from (a program, a separate debug file, a .dwo or a .dwp), named in errors.</summary>
    public string? FileName { get; init; }

    public ReadOnlyMemory<byte> Info { get; init; }
    public ReadOnlyMemory<byte> Types { get; init; }
    public ReadOnlyMemory<byte> Abbrev { get; init; }
    public ReadOnlyMemory<byte> Str { get; init; }
    public ReadOnlyMemory<byte> LineStr { get; init; }
    public ReadOnlyMemory<byte> StrOffsets { get; init; }
    public ReadOnlyMemory<byte> Addr { get; init; }
    public ReadOnlyMemory<byte> Ranges { get; init; }
    public ReadOnlyMemory<byte> Rnglists { get; init; }
    public ReadOnlyMemory<byte> Loc { get; init; }
    public ReadOnlyMemory<byte> Loclists { get; init; }
    public ReadOnlyMemory<byte> Aranges { get; init; }
    public ReadOnlyMemory<byte> Names { get; init; }
    public ReadOnlyMemory<byte> Line { get; init; }

    /// <summary>Reads every DWARF section of <paramref name="elf"/> (lazily mapped; compressed ones are inflated here).</summary>
    public static DwarfSections FromElf(ElfFile elf) => new()
    {
        FileName = elf.Name,
        Info = elf.GetDebugSection(".debug_info"),
        Types = elf.GetDebugSection(".debug_types"),
        Abbrev = elf.GetDebugSection(".debug_abbrev"),
        Str = elf.GetDebugSection(".debug_str"),
        LineStr = elf.GetDebugSection(".debug_line_str"),
        StrOffsets = elf.GetDebugSection(".debug_str_offsets"),
        Addr = elf.GetDebugSection(".debug_addr"),
        Ranges = elf.GetDebugSection(".debug_ranges"),
        Rnglists = elf.GetDebugSection(".debug_rnglists"),
        Loc = elf.GetDebugSection(".debug_loc"),
        Loclists = elf.GetDebugSection(".debug_loclists"),
        Aranges = elf.GetDebugSection(".debug_aranges"),
        Names = elf.GetDebugSection(".debug_names"),
        Line = elf.GetDebugSection(".debug_line"),
    };
}
