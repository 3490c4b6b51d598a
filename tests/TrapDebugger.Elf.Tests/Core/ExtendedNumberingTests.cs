using System.Buffers.Binary;
using TrapDebugger.Elf.Core;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Elf.Tests.Core;

/// <summary>A core of a process with 65535 or more mappings keeps its program header count in section header 0 (PN_XNUM), as the kernel writes it.</summary>
public sealed class ExtendedNumberingTests
{
    [Fact]
    public void ProgramHeaderCountIsReadFromSectionHeaderZeroWhenEPhnumIsPnXnum()
    {
        var original = File.ReadAllBytes(CoreCatalog.Produce("null_field clang22-O0 kernel mallory").Path);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(original.AsSpan(56));
        // The kernel's layout: e_phnum = PN_XNUM, e_shnum = 1, and one SHT_NULL section header whose sh_info is the count.
        var image = new byte[original.Length + 64];
        original.CopyTo(image, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(40), (ulong)original.Length); // e_shoff
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(56), 0xffff);                 // e_phnum
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(58), 64);                     // e_shentsize
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(60), 1);                      // e_shnum
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(62), 0);                      // e_shstrndx
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(original.Length + 44), (uint)phnum); // sh_info

        using var plain = CoreFile.Read(original, "plain");
        using var extended = CoreFile.Read(image, "extended");
        Assert.Equal(plain.Memory.Segments, extended.Memory.Segments);
        Assert.Equal(phnum - 1, extended.Memory.Segments.Count); // every program header but PT_NOTE
        Assert.Equal(plain.Threads.Select(t => t.Status), extended.Threads.Select(t => t.Status));
        Assert.Equal(plain.MappedFiles, extended.MappedFiles);
    }
}
