namespace TrapDebugger.Targets;

/// <summary>The whole reading surface of a file, a core dump, a live process or a remote one: bytes at an address.</summary>
/// <remarks>Every reader (ELF, DWARF, the unwinder, values, trap analysis) sits on this one interface, so the same code
/// reads a file, a core's segments or a process's memory. For a file the address is the file offset.</remarks>
public interface IByteSource
{
    /// <summary>Copies up to <c>buffer.Length</c> bytes starting at <paramref name="address"/>; returns how many were read
    /// (fewer at the first byte that cannot be read, 0 past the end or in a hole).</summary>
    int Read(ulong address, Span<byte> buffer);
}
