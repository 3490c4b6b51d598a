namespace TrapDebugger.Elf.Core;

/// <summary>One mapping of the NT_FILE note: the address range and the page offset of the file mapped there.</summary>
/// <remarks>The note is <c>long count; long page_size; struct { long start, end, file_ofs; } entries[count];</c>
/// followed by <c>count</c> NUL-terminated file names; <c>file_ofs</c> counts pages of <c>page_size</c>.</remarks>
public readonly record struct NtFileEntry(
    ulong Start,       // start
    ulong End,         // end
    ulong PageOffset); // file_ofs
