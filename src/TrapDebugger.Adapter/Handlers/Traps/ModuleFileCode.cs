using TrapDebugger.Elf;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Traps;

/// <summary>Reads a module's code from its file, at run-time addresses: the bytes as built, without the debugger's breakpoints.</summary>
/// <param name="elf">The module's ELF file.</param>
/// <param name="loadBias">What was added to file addresses when the module was mapped (0 without a process).</param>
public sealed class ModuleFileCode(ElfFile elf, ulong loadBias) : IMemoryReader
{
    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer)
    {
        ulong fileAddress = address - loadBias;
        foreach (var segment in elf.Segments)
        {
            if (segment.Type != ElfSegmentType.Load || fileAddress < segment.VirtualAddress || fileAddress >= segment.VirtualAddress + segment.FileSize)
                continue;
            ulong available = segment.VirtualAddress + segment.FileSize - fileAddress;
            int count = (int)Math.Min((ulong)buffer.Length, available);
            try
            {
                elf.ReadExactly(segment.Offset + (fileAddress - segment.VirtualAddress), buffer[..count], "code");
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                return 0;
            }
            return count;
        }
        return 0;
    }
}
