using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.CallFrames;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Model;

/// <summary>An ELF image mapped into the process (the program, a shared library, the dynamic loader) and its debug information.</summary>
/// <remarks>Addresses in the file are link-time addresses; the process sees them shifted by <see cref="LoadBias"/>.
/// The ELF, DWARF and CFI are read on first use, so a process with hundreds of libraries starts quickly.</remarks>
public sealed class Module : IDisposable
{
    private readonly Lazy<SymbolIndex?> _symbols;
    private readonly Lazy<(CallFrameInfo? Eh, CallFrameInfo? Debug)> _cfi;
    private readonly Lazy<(ulong Low, ulong High)[]> _segments;
    private readonly Lazy<(ulong Low, ulong High)[]> _pltRanges;
    private readonly Lazy<Dictionary<ulong, string>> _slotSymbols;
    private readonly Func<SymbolIndex>? _openImage;
    private readonly Func<string, TargetFile?>? _openFile;

    /// <summary>Describes the image at <paramref name="path"/> loaded with <paramref name="loadBias"/>, read from the file
    /// <paramref name="openFile"/> finds for the path (by default, the path on this machine).</summary>
    public Module(int id, string path, ulong loadBias, bool isMainProgram, Func<string, TargetFile?>? openFile = null)
    {
        _openFile = openFile;
        Id = id;
        Path = path;
        LoadBias = loadBias;
        IsMainProgram = isMainProgram;
        _symbols = new(OpenSymbols, LazyThreadSafetyMode.ExecutionAndPublication);
        _cfi = new(OpenCallFrames, LazyThreadSafetyMode.ExecutionAndPublication);
        _segments = new(ReadSegments, LazyThreadSafetyMode.ExecutionAndPublication);
        _pltRanges = new(ReadPltRanges, LazyThreadSafetyMode.ExecutionAndPublication);
        _slotSymbols = new(ReadSlotSymbols, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Describes an image that exists only in the process's memory (the kernel's vDSO), read from <paramref name="image"/>.</summary>
    public Module(int id, string name, byte[] image, ulong loadBias)
        : this(id, name, loadBias, isMainProgram: false)
    {
        _openImage = () =>
        {
            var elf = ElfFile.Read(image, name);
            return new SymbolIndex(elf, DwarfFile.FromElf(elf), elf);
        };
    }

    /// <summary>True for an image read from process memory rather than from a file.</summary>
    public bool IsMemoryImage => _openImage is not null;

    /// <summary>A small number that identifies the module in this session (DAP module id).</summary>
    public int Id { get; }

    /// <summary>The path the loader opened.</summary>
    public string Path { get; }

    /// <summary>The file name, e.g. "libc.so.6".</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The difference between run-time and link-time addresses.</summary>
    public ulong LoadBias { get; }

    /// <summary>True for the program itself (as opposed to a shared library).</summary>
    public bool IsMainProgram { get; }

    /// <summary>Why the module's file or debug information could not be read, when it could not.</summary>
    public string? LoadError { get; private set; }

    /// <summary>The symbol index (ELF symbols and DWARF), or null when the file cannot be read.</summary>
    public SymbolIndex? Symbols => _symbols.Value;

    /// <summary>The ELF file, or null when it cannot be read.</summary>
    public ElfFile? Elf => Symbols?.Elf;

    /// <summary>True when the module has DWARF debug information (in the file or a separate debug file).</summary>
    public bool HasDebugInfo => Symbols is { } s && s.Dwarf.CompileUnits.Any();

    /// <summary>The path of the separate debug file, when the DWARF came from one.</summary>
    public string? DebugFilePath => Symbols?.DebugFilePath;

    /// <summary>The reader that builds types from this module's DWARF.</summary>
    public DwarfTypeReader Types { get; } = new();

    /// <summary>The lowest run-time address of the module's loaded segments.</summary>
    public ulong Start => _segments.Value.Length > 0 ? _segments.Value.Min(s => s.Low) : LoadBias;

    /// <summary>The run-time address just past the module's loaded segments.</summary>
    public ulong End => _segments.Value.Length > 0 ? _segments.Value.Max(s => s.High) : LoadBias;

    /// <summary>True when run-time <paramref name="address"/> lies in one of the module's loaded segments.</summary>
    public bool Contains(ulong address)
    {
        foreach (var (low, high) in _segments.Value)
        {
            if (address >= low && address < high) return true;
        }
        return false;
    }

    /// <summary>True when run-time <paramref name="address"/> is inside .plt, .plt.sec or .plt.got.</summary>
    public bool IsInPlt(ulong address)
    {
        foreach (var (low, high) in _pltRanges.Value)
        {
            if (address >= low && address < high) return true;
        }
        return false;
    }

    /// <summary>Converts a run-time address to the file's link-time address.</summary>
    public ulong ToFileAddress(ulong address) => address - LoadBias;

    /// <summary>Converts a link-time address to the run-time address.</summary>
    public ulong ToRuntimeAddress(ulong fileAddress) => fileAddress + LoadBias;

    /// <summary>The unwind row for run-time <paramref name="pc"/> from .eh_frame, else .debug_frame.</summary>
    public UnwindRow? FindUnwindRow(ulong pc)
    {
        var (eh, debug) = _cfi.Value;
        ulong file = ToFileAddress(pc);
        try
        {
            return eh?.FindRow(file) ?? debug?.FindRow(file);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The ELF symbol covering run-time <paramref name="address"/>, or null.</summary>
    public ElfSymbol? SymbolAt(ulong address)
    {
        try
        {
            return Elf?.Symbols.FindByAddress(ToFileAddress(address));
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The primary source file of each compile unit (made absolute with the unit's DW_AT_comp_dir when it has one),
    /// in unit order, each once; empty without DWARF.</summary>
    public IReadOnlyList<string> CompileUnitSources()
    {
        var result = new List<string>();
        if (Symbols is not { } symbols) return result;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var unit in symbols.Dwarf.CompileUnits)
        {
            if (unit.Name is not { Length: > 0 } name) continue;
            var directory = unit.Root.Find(DwarfAttribute.CompDir)?.AsString();
            var path = System.IO.Path.IsPathRooted(name) || directory is null ? name : System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, name));
            if (seen.Add(path)) result.Add(path);
        }
        return result;
    }

    /// <summary>The dynamic symbol whose address the GOT slot at run-time <paramref name="slotAddress"/> receives
    /// (from the R_X86_64_JUMP_SLOT or R_X86_64_GLOB_DAT relocation of that slot), or null.</summary>
    public string? SlotSymbolName(ulong slotAddress) => _slotSymbols.Value.GetValueOrDefault(ToFileAddress(slotAddress));

    /// <summary>The run-time entry addresses of the functions this module defines and exports under <paramref name="name"/>
    /// (indirect functions excluded: their symbol is the resolver, not the code a call reaches).</summary>
    public IEnumerable<ulong> ExportedFunctionAddresses(string name)
    {
        IEnumerable<ElfSymbol> symbols;
        try
        {
            symbols = Elf?.Symbols.Dynamic ?? [];
        }
        catch (InvalidDataException)
        {
            yield break;
        }
        foreach (var s in symbols)
        {
            if (s.Type == ElfSymbolType.Function && !s.IsUndefined && s.Value != 0 && s.Binding != ElfSymbolBinding.Local && s.Name == name)
                yield return ToRuntimeAddress(s.Value);
        }
    }

    private SymbolIndex? OpenSymbols()
    {
        if (_openImage is { } open)
        {
            try
            {
                return open();
            }
            catch (InvalidDataException e)
            {
                LoadError = $"cannot read the {Path} image: {e.Message}";
                return null;
            }
        }
        var file = _openFile is { } openFile ? openFile(Path) : File.Exists(Path) ? TargetFile.Local(Path, Path) : null;
        if (file is null)
        {
            LoadError = $"'{Path}' is not a file that can be read";
            return null;
        }
        try
        {
            return ModuleFiles.OpenSymbols(file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            LoadError = $"cannot read '{Path}': {e.Message}";
            return null;
        }
    }

    private (CallFrameInfo?, CallFrameInfo?) OpenCallFrames()
    {
        var elf = Elf;
        if (elf is null) return (null, null);
        CallFrameInfo? eh = null, debug = null;
        try
        {
            if (elf.FindSection(".eh_frame") is { } ehSection && ehSection.HasFileData)
            {
                var hdr = elf.FindSection(".eh_frame_hdr");
                eh = CallFrameInfo.FromEhFrame(elf.GetSectionData(ehSection), ehSection.Address,
                    hdr is { HasFileData: true } ? elf.GetSectionData(hdr) : default, hdr?.Address ?? 0);
            }
        }
        catch (InvalidDataException)
        {
            eh = null;
        }
        try
        {
            var data = Symbols?.Dwarf.Sections is { } sections ? elf.GetDebugSection(".debug_frame") : default;
            if (!data.IsEmpty) debug = CallFrameInfo.FromDebugFrame(data);
        }
        catch (InvalidDataException)
        {
            debug = null;
        }
        return (eh, debug);
    }

    private (ulong, ulong)[] ReadSegments()
    {
        try
        {
            var elf = Elf;
            if (elf is null) return [];
            return elf.Segments.Where(s => s.Type == ElfSegmentType.Load)
                .Select(s => (s.VirtualAddress + LoadBias, s.VirtualAddress + s.MemorySize + LoadBias)).ToArray();
        }
        catch (InvalidDataException)
        {
            return [];
        }
    }

    private (ulong, ulong)[] ReadPltRanges()
    {
        var elf = Elf;
        if (elf is null) return [];
        return elf.Sections.Where(s => s.Name is ".plt" or ".plt.sec" or ".plt.got" or ".iplt")
            .Select(s => (s.Address + LoadBias, s.Address + s.Size + LoadBias)).ToArray();
    }

    // Elf64_Rela: r_offset, r_info (symbol index in the high half, type in the low), r_addend.
    private const int RelaSize = 24;
    private const uint R_X86_64_GLOB_DAT = 6, R_X86_64_JUMP_SLOT = 7;

    private Dictionary<ulong, string> ReadSlotSymbols()
    {
        var result = new Dictionary<ulong, string>();
        try
        {
            var elf = Elf;
            if (elf is null) return result;
            var dynamic = elf.Symbols.Dynamic;
            foreach (var section in elf.Sections.Where(s => s.Name is ".rela.plt" or ".rela.dyn" && s.HasFileData))
            {
                var data = elf.GetSectionData(section).Span;
                for (int at = 0; at + RelaSize <= data.Length; at += RelaSize)
                {
                    ulong offset = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[at..]);     // r_offset
                    ulong info = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[(at + 8)..]); // r_info
                    uint type = (uint)info, symbol = (uint)(info >> 32);
                    // Dynamic leaves out the null symbol 0.
                    if (type is not (R_X86_64_JUMP_SLOT or R_X86_64_GLOB_DAT) || symbol == 0 || symbol > dynamic.Count) continue;
                    result.TryAdd(offset, dynamic[(int)symbol - 1].Name);
                }
            }
        }
        catch (InvalidDataException)
        {
        }
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_symbols.IsValueCreated) _symbols.Value?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} @ 0x{LoadBias:x}";
}
