using System.Buffers.Binary;

namespace TrapDebugger.Elf.Tests;

/// <summary>Bad ELF images built in memory are rejected with one typed error naming the part and offset, never a crash or a huge allocation.</summary>
public sealed class MalformedElfTests
{
    [Fact]
    public void WellFormedImageOpens()
    {
        var image = new ElfImageBuilder().Section(".data", 1, [1, 2, 3, 4], flags: 3).Build();
        using var elf = ElfFile.Read(image);
        Assert.Equal(ElfFileType.Executable, elf.Header.Type);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, elf.GetSectionData(elf.FindSection(".data")!).ToArray());
    }

    public static TheoryData<string, Func<byte[]>, string> BadImages => new()
    {
        { "too short", () => new byte[10], "too short" },
        { "bad magic", () => { var b = new ElfImageBuilder().Build(); b[1] = (byte)'X'; return b; }, "bad magic at offset 0x0" },
        { "ELF32", () => new ElfImageBuilder { Class = 1 }.Build(), "offset 0x4" },
        { "big endian", () => new ElfImageBuilder { Data = 2 }.Build(), "offset 0x5" },
        { "not x86-64", () => new ElfImageBuilder { Machine = 183 }.Build(), "offset 0x12" },
        { "section table past the end", () => new ElfImageBuilder { ShOffOverride = 1UL << 40 }.Build(), "section header table at file offset 0x10000000000" },
        { "tiny section header size", () => new ElfImageBuilder { ShEntSize = 12 }.Build(), "e_shentsize 12" },
        { "truncated section table", () => new ElfImageBuilder().Section(".a", 1, [1]).Build()[..^20], "section header table" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public void BadHeaderIsATypedError(string what, Func<byte[]> image, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfFile.Read(image()));
        Assert.Contains(expected, e.Message);
        Assert.False(string.IsNullOrWhiteSpace(what));
    }

    [Fact]
    public void SectionPastTheEndIsATypedErrorNamingTheSection()
    {
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(".debug_info", 1, [1, 2], size: 1UL << 30).Build());
        var e = Assert.Throws<InvalidDataException>(() => elf.GetSectionData(elf.FindSection(".debug_info")!));
        Assert.Contains(".debug_info", e.Message);
        Assert.Contains("offset 0x", e.Message);
    }

    [Fact]
    public void OversizedSectionIsRejectedBeforeAllocating()
    {
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(".big", 1, [1], size: 1UL << 62).Build());
        var e = Assert.Throws<InvalidDataException>(() => elf.GetSectionData(elf.FindSection(".big")!));
        Assert.Contains("exceeds the maximum", e.Message);
    }

    [Theory]
    [InlineData(1u, "zlib")]
    [InlineData(2u, "zstd")]
    [InlineData(9u, "unknown compression type 9")]
    public void CorruptCompressedSectionIsATypedError(uint type, string expected)
    {
        var chdr = new byte[24 + 16];
        BinaryPrimitives.WriteUInt32LittleEndian(chdr, type);             // ch_type
        BinaryPrimitives.WriteUInt64LittleEndian(chdr.AsSpan(8), 1UL << 30); // ch_size: a lie
        for (int i = 24; i < chdr.Length; i++) chdr[i] = (byte)(0xA5 ^ i);
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(".debug_line", 1, chdr, flags: 0x800).Build());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => elf.GetSectionData(elf.FindSection(".debug_line")!));
        Assert.Contains(expected, e.Message);
        Assert.Contains(".debug_line", e.Message);
        // A lying ch_size must not turn into a gigabyte buffer.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Fact]
    public void CompressedSectionsRoundTripThroughZlib()
    {
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            z.Write(payload);
        var chdr = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(chdr, 1);
        BinaryPrimitives.WriteUInt64LittleEndian(chdr.AsSpan(8), (ulong)payload.Length);
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(".debug_str", 1, [.. chdr, .. compressed.ToArray()], flags: 0x800).Build());
        Assert.Equal(payload, elf.GetDebugSection(".debug_str").ToArray());
    }

    [Fact]
    public void LegacyZdebugSectionIsInflated()
    {
        var payload = "legacy compressed DWARF"u8.ToArray();
        var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            z.Write(payload);
        var header = new byte[12];
        "ZLIB"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(4), (ulong)payload.Length);
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(".zdebug_str", 1, [.. header, .. compressed.ToArray()]).Build());
        Assert.Equal(payload, elf.GetDebugSection(".debug_str").ToArray());
    }

    [Theory]
    [InlineData(".zdebug_rnglists")]
    [InlineData(".zdebug_str")]
    public void LegacyZdebugSectionCutAfterItsHeaderIsATypedError(string name)
    {
        // The header alone (sh_size 12): nothing to inflate, though it declares 0x70 bytes.
        var header = new byte[12];
        "ZLIB"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(4), 0x70);
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(name, 1, header).Build());
        var e = Assert.Throws<InvalidDataException>(() => elf.GetDebugSection(".debug_" + name[8..]).ToArray());
        Assert.Contains(name, e.Message);
        Assert.Contains("ends after its header", e.Message);
    }

    [Fact]
    public void OversizedNoteIsATypedError()
    {
        var note = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(note, 0x7fffffff); // n_namesz
        using var elf = ElfFile.Read(new ElfImageBuilder().Section(".note.x", 7, note).Build());
        var e = Assert.Throws<InvalidDataException>(() => elf.Notes);
        Assert.Contains(".note.x", e.Message);
    }
}
