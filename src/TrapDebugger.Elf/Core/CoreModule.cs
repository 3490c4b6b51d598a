namespace TrapDebugger.Elf.Core;

/// <summary>One file the process had mapped (a program, a shared library or the vDSO), with what the core's memory shows of its ELF headers.</summary>
public sealed class CoreModule
{
    internal CoreModule(string path, IReadOnlyList<CoreMappedFile> mappings, ulong start, ulong end)
    {
        Path = path;
        Mappings = mappings;
        Start = start;
        End = end;
    }

    /// <summary>The path the kernel recorded ("[vdso]" for the vDSO).</summary>
    public string Path { get; }

    /// <summary>The NT_FILE mappings of this file, by address.</summary>
    public IReadOnlyList<CoreMappedFile> Mappings { get; }

    /// <summary>The lowest mapped address.</summary>
    public ulong Start { get; }

    /// <summary>The first address past the highest mapping.</summary>
    public ulong End { get; }

    /// <summary>True when the core's memory holds the file's ELF header at <see cref="Start"/>.</summary>
    public bool HasElfHeader { get; internal set; }

    /// <summary>The ELF type from that header (executable or shared object), or none.</summary>
    public ElfFileType ElfType { get; internal set; }

    /// <summary>Run-time address minus link-time address (zero for a fixed-address executable).</summary>
    public ulong LoadBias { get; internal set; }

    /// <summary>The GNU build-id found in the core's memory, or null when the core does not hold it.</summary>
    public byte[]? BuildId { get; internal set; }

    /// <summary>The build-id as lower-case hex, or null.</summary>
    public string? BuildIdHex => BuildId is { Length: > 0 } id ? Convert.ToHexStringLower(id) : null;

    /// <summary>True when the dynamic loader loaded this image (it is in r_debug's link map, or the program has none): a
    /// program or library rather than a file the process mapped as data.</summary>
    public bool IsLoaded { get; internal set; }

    /// <summary>The run-time address of the image's dynamic section (PT_DYNAMIC), or null.</summary>
    public ulong? DynamicAddress { get; internal set; }

    /// <summary>True for the program itself (the module holding AT_ENTRY).</summary>
    public bool IsMainProgram { get; internal set; }

    /// <summary>True for the kernel's vDSO, which has no file.</summary>
    public bool IsVdso { get; internal set; }

    /// <summary>True when <paramref name="address"/> lies in one of the module's mappings.</summary>
    public bool Contains(ulong address) => Mappings.Any(m => m.Contains(address)) || (IsVdso && address >= Start && address < End);

    /// <inheritdoc />
    public override string ToString() => $"{Path} 0x{Start:x}-0x{End:x}{(BuildIdHex is { } id ? " " + id : "")}";
}
