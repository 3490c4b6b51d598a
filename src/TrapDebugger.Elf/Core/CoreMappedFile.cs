namespace TrapDebugger.Elf.Core;

/// <summary>One file-backed mapping of the process, from NT_FILE: the range, the byte offset in the file and the file's path.</summary>
public sealed record CoreMappedFile(ulong Start, ulong End, ulong FileOffset, string Path)
{
    /// <summary>The number of bytes mapped.</summary>
    public ulong Size => End - Start;

    /// <summary>True when <paramref name="address"/> lies in the mapping.</summary>
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>True when the kernel recorded the file as deleted after it was mapped (its path ends in " (deleted)").</summary>
    public bool IsDeleted => Path.EndsWith(" (deleted)", StringComparison.Ordinal);
}
