using System.Buffers.Binary;

namespace TrapDebugger.Traps.Tests.Support;

/// <summary>The loadable segments of an ELF64 file mapped at a bias: the original code bytes a debugger would read from the file.</summary>
/// <remarks>Deliberately minimal (program headers only); the project's ELF reader lives in its own layer and is tested there.</remarks>
public sealed class ElfImage : IByteSource
{
    private readonly byte[] file;
    private readonly List<(ulong Vaddr, ulong Offset, ulong FileSize)> segments = [];
    private readonly List<(ulong Vaddr, ulong MemorySize)> writable = [];
    private readonly ulong bias;

    public ElfImage(string path, ulong bias)
    {
        file = File.ReadAllBytes(path);
        this.bias = bias;
        var phoff = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0x20));   // e_phoff
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(0x36)); // e_phentsize
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(0x38));     // e_phnum
        for (var i = 0; i < phnum; i++)
        {
            var ph = file.AsSpan((int)phoff + i * phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 1) continue; // p_type == PT_LOAD
            if ((BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]) & 2) != 0) // p_flags & PF_W
                writable.Add((BinaryPrimitives.ReadUInt64LittleEndian(ph[0x10..]), BinaryPrimitives.ReadUInt64LittleEndian(ph[0x28..]))); // p_vaddr, p_memsz
            segments.Add((BinaryPrimitives.ReadUInt64LittleEndian(ph[0x10..]),  // p_vaddr
                           BinaryPrimitives.ReadUInt64LittleEndian(ph[0x08..]),  // p_offset
                           BinaryPrimitives.ReadUInt64LittleEndian(ph[0x20..]))); // p_filesz
        }
    }

    /// <summary>The writable PT_LOAD segments (data and bss), as file addresses and memory sizes.</summary>
    public IReadOnlyList<(ulong Vaddr, ulong MemorySize)> WritableSegments => writable;

    /// <summary>True for a position-independent executable (e_type ET_DYN).</summary>
    public bool IsPie => BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(0x10)) == 3; // e_type

    /// <summary>The lowest p_vaddr of a PT_LOAD segment (0 for a PIE).</summary>
    public static ulong FirstLoadAddress(string path) => new ElfImage(path, 0).segments.Min(s => s.Vaddr);

    public int Read(ulong address, Span<byte> buffer)
    {
        var a = address - bias;
        foreach (var (vaddr, offset, size) in segments)
        {
            if (a < vaddr || a >= vaddr + size) continue;
            var n = (int)Math.Min((ulong)buffer.Length, vaddr + size - a);
            file.AsSpan((int)(offset + (a - vaddr)), n).CopyTo(buffer);
            return n;
        }
        return 0;
    }
}
