using TrapDebugger.Dwarf;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Model;

/// <summary>Opens the ELF image and debug information of a target's file, wherever its bytes are.</summary>
public static class ModuleFiles
{
    /// <summary>The ELF image of <paramref name="file"/>; the caller disposes it (and, for a file read by byte ranges, the file).</summary>
    /// <exception cref="InvalidDataException">The file is not a supported ELF file.</exception>
    public static ElfFile OpenElf(TargetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.LocalPath is { } local ? ElfFile.Open(local) : ElfFile.Read(file.Source!, file.Length, file.Path);
    }

    /// <summary>The symbol index of <paramref name="file"/>, which then owns the file. A local file also finds its separate
    /// debug file and split DWARF next to it; a file read by byte ranges has only its own sections.</summary>
    /// <exception cref="InvalidDataException">The file or its debug information is not readable.</exception>
    public static SymbolIndex OpenSymbols(TargetFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.LocalPath is { } local)
        {
            file.Dispose();
            return SymbolIndex.Open(local);
        }
        var elf = ElfFile.Read(file.Source!, file.Length, file.Path);
        try
        {
            return new SymbolIndex(elf, DwarfFile.FromElf(elf), elf, file);
        }
        catch
        {
            elf.Dispose();
            file.Dispose();
            throw;
        }
    }
}
