using TrapDebugger.Elf;
using TrapDebugger.Traps;

namespace TrapDebugger.Cli.TrapSites;

/// <summary>The code of an ELF file as the loader would map it at link-time addresses: reads go to the file bytes of the
/// PT_LOAD segment that covers the address.</summary>
public sealed class ElfCode(ElfFile elf) : IMemoryReader
{
    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer)
    {
        foreach (var segment in elf.Segments)
        {
            if (segment.Type != ElfSegmentType.Load || address < segment.VirtualAddress || address >= segment.VirtualAddress + segment.FileSize) continue;
            var available = segment.VirtualAddress + segment.FileSize - address;
            var count = (int)Math.Min((ulong)buffer.Length, available);
            try
            {
                elf.ReadExactly(segment.Offset + (address - segment.VirtualAddress), buffer[..count], "code");
            }
            catch (InvalidDataException)
            {
                return 0;
            }
            return count;
        }
        return 0;
    }
}
