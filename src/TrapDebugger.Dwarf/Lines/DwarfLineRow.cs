namespace TrapDebugger.Dwarf;

/// <summary>One row of a line table, with every register of the line-number state machine.</summary>
public readonly record struct DwarfLineRow(
    ulong Address,
    uint OpIndex,
    uint File,
    uint Line,
    uint Column,
    uint Isa,
    uint Discriminator,
    bool IsStatement,
    bool BasicBlock,
    bool EndSequence,
    bool PrologueEnd,
    bool EpilogueBegin);

/// <summary>One file entry of a line program header: its name, directory index and optional timestamp, size and MD5.</summary>
public sealed record DwarfLineFile(string Name, ulong DirectoryIndex, ulong ModificationTime, ulong Size, byte[]? Md5);

/// <summary>A contiguous run of rows ending in an end_sequence row, covering [LowPc, HighPc).</summary>
public readonly record struct DwarfLineSequence(ulong LowPc, ulong HighPc, int FirstRow, int EndRow);
