using TrapDebugger.Elf;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>Reads a module's code as the file holds it, at run-time addresses: the bytes without the debugger's int3s and
/// without anything the program wrote over its code.</summary>
public sealed class ModuleCodeReader(Module module) : IByteSource
{
    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer)
    {
        var elf = module.Elf;
        if (elf is null || buffer.IsEmpty) return 0;
        ulong file = module.ToFileAddress(address);
        foreach (var segment in elf.Segments)
        {
            if (segment.Type != ElfSegmentType.Load || file < segment.VirtualAddress || file >= segment.VirtualAddress + segment.FileSize) continue;
            ulong available = segment.VirtualAddress + segment.FileSize - file;
            int n = (int)Math.Min((ulong)buffer.Length, available);
            try
            {
                elf.ReadExactly(segment.Offset + (file - segment.VirtualAddress), buffer[..n], "code");
                return n;
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return 0;
            }
        }
        return 0;
    }
}
