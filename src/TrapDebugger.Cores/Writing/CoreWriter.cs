using LibObjectFile.Diagnostics;
using LibObjectFile.Elf;

namespace TrapDebugger.Cores;

/// <summary>Writes a <see cref="CoreDescription"/> as an ELF core file (ET_CORE) with LibObjectFile: one PT_NOTE, then one PT_LOAD per region.</summary>
/// <remarks>The layout follows the kernel's: ELF header, program headers, notes, then the included memory page-aligned
/// in address order. An omitted region keeps its PT_LOAD with p_filesz 0, so readers know the range existed and take its
/// bytes from the file NT_FILE names.</remarks>
public static class CoreWriter
{
    // PN_XNUM (0xffff) means "the count is elsewhere"; the largest plain e_phnum is one less.
    private const int MaxSegments = 0xffff;

    /// <summary>Writes the core of <paramref name="core"/> to <paramref name="path"/> (replaced if it exists) and returns what was written.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static CoreWriteResult Write(CoreDescription core, string path)
    {
        var temporary = path + ".partial";
        try
        {
            CoreWriteResult result;
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                result = Write(core, stream);
            File.Move(temporary, path, overwrite: true);
            return result;
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Writes the core of <paramref name="core"/> to <paramref name="stream"/> and returns what was written.</summary>
    public static CoreWriteResult Write(CoreDescription core, Stream stream)
    {
        if (core.Threads.Count == 0)
            throw new ArgumentException("a core needs at least one thread", nameof(core));
        var elf = new ElfFile(ElfArch.X86_64, ElfFileClass.Is64, ElfEncoding.Lsb, addDefaultSections: false)
        {
            FileType = ElfFileType.Core,
            OSABI = ElfOSABIEx.NONE,
        };
        elf.Add(new ElfProgramHeaderTable());
        var notes = elf.Add(new ElfStreamContentData(new MemoryStream(CoreNoteEncoder.Encode(core, CoreMemorySelection.PageSize))) { FileAlignment = 4 });
        elf.Segments.Add(new ElfSegment
        {
            Type = new ElfSegmentType(ElfSegmentTypeCore.Note),
            Range = notes,
            VirtualAddressAlignment = 4,
        });
        var contents = new List<MemoryRegionContent>();
        ulong included = 0, omitted = 0;
        var regions = core.Regions.OrderBy(r => r.Start).ToList();
        if (regions.Count + 1 >= MaxSegments)
        {
            // e_phnum is 16 bits and LibObjectFile writes no PN_XNUM extension: drop the ranges the core does not hold
            // first (readers take their bytes from NT_FILE anyway, as with gdb's cores), then give up with a reason.
            omitted += regions.Where(r => !r.Included).Aggregate(0UL, (sum, r) => sum + r.Size);
            regions.RemoveAll(r => !r.Included);
            if (regions.Count + 1 >= MaxSegments)
                throw new IOException($"the process has {regions.Count} memory ranges to write, more than the {MaxSegments - 2} one core file can describe.");
        }
        foreach (var region in regions)
        {
            var segment = new ElfSegment
            {
                Type = new ElfSegmentType(ElfSegmentTypeCore.Load),
                VirtualAddress = region.Start,
                SizeInMemory = region.Size,
                Flags = new ElfSegmentFlags(region.Flags),
                VirtualAddressAlignment = CoreMemorySelection.PageSize,
            };
            if (region.Included && region.Size > 0)
            {
                var content = elf.Add(new MemoryRegionContent(core.Memory, region.Start, region.Size));
                contents.Add(content);
                segment.Range = content;
                included += region.Size;
            }
            else
                omitted += region.Size;
            elf.Segments.Add(segment);
        }
        if (!elf.TryWrite(stream, out var diagnostics))
            throw new IOException($"the core could not be laid out: {string.Join("; ", diagnostics.Messages.Where(m => m.Kind == DiagnosticKind.Error).Select(m => m.Message))}");
        // The last region may end in skipped zero pages: the file still runs to its end.
        if (stream.CanSeek && stream.Position > stream.Length)
            stream.SetLength(stream.Position);
        return new CoreWriteResult(core.Threads.Count, included, omitted, contents.Aggregate(0UL, (sum, c) => sum + c.UnreadableBytes));
    }
}

/// <summary>What a written core holds: its threads, the bytes of memory written and left out, and bytes that could not be read.</summary>
public readonly record struct CoreWriteResult(int Threads, ulong IncludedBytes, ulong OmittedBytes, ulong UnreadableBytes);
