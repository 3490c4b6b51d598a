using System.Buffers.Binary;

namespace TrapDebugger.Elf.Core;

/// <summary>Groups a core's NT_FILE mappings into modules and reads each one's ELF header and build-id from the core's own memory.</summary>
/// <remarks>The kernel dumps the first page of every ELF mapping (coredump_filter bit 4) precisely so that debuggers
/// can find the build-id note there; only bytes the core holds are used, never the file on disk, because the point is
/// to identify which file on disk is the right one.</remarks>
internal static class CoreModuleScanner
{
    private const int MaxProgramHeaders = 1024, MaxNoteBytes = 64 << 10;

    public static IReadOnlyList<CoreModule> Scan(CoreFile core)
    {
        var modules = new List<CoreModule>();
        foreach (var group in core.MappedFiles.GroupBy(f => f.Path, StringComparer.Ordinal))
        {
            var mappings = group.OrderBy(f => f.Start).ToList();
            var module = new CoreModule(group.Key, mappings, mappings[0].Start, mappings.Max(f => f.End));
            var header = mappings.FirstOrDefault(f => f.FileOffset == 0);
            if (header != null)
                ReadHeaders(core.Memory, module, header.Start);
            modules.Add(module);
        }
        if (core.GetAuxv(AuxvEntry.AT_SYSINFO_EHDR) is { } vdso && vdso != 0 && !modules.Any(m => m.Contains(vdso))
            && core.Memory.FindSegment(vdso) is { } segment)
        {
            var module = new CoreModule("[vdso]", [], vdso, segment.End) { IsVdso = true };
            ReadHeaders(core.Memory, module, vdso);
            modules.Add(module);
        }
        if (core.GetAuxv(AuxvEntry.AT_ENTRY) is { } entry && modules.FirstOrDefault(m => m.Contains(entry)) is { } main)
            main.IsMainProgram = true;
        return modules;
    }

    private static void ReadHeaders(CoreMemory memory, CoreModule module, ulong start)
    {
        Span<byte> h = stackalloc byte[64];
        if (memory.ReadDumped(start, h) != h.Length || !h[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']) || h[4] != 2 || h[5] != 1)
            return;
        module.HasElfHeader = true;
        module.ElfType = (ElfFileType)BinaryPrimitives.ReadUInt16LittleEndian(h[16..]);
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(h[32..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[54..]), phnum = BinaryPrimitives.ReadUInt16LittleEndian(h[56..]);
        if (phentsize < 56 || phnum == 0 || phnum > MaxProgramHeaders || phoff > (1 << 20))
            return;
        var table = new byte[phentsize * phnum];
        if (memory.ReadDumped(start + phoff, table) != table.Length)
            return;
        var headers = new List<ElfSegment>(phnum);
        for (int i = 0; i < phnum; i++)
        {
            var r = new ByteReader(table, "program header", i * phentsize);
            var type = (ElfSegmentType)r.ReadU32();
            uint flags = r.ReadU32();
            headers.Add(new ElfSegment(type, flags, r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64()));
        }
        // The mapping of file offset 0 is where the first PT_LOAD's page lies at run time.
        var first = headers.FirstOrDefault(p => p.Type == ElfSegmentType.Load);
        if (first.Type != ElfSegmentType.Load)
            return;
        module.LoadBias = start - ((first.VirtualAddress - first.Offset) & ~0xfffUL);
        foreach (var note in headers.Where(p => p.Type == ElfSegmentType.Note && p.FileSize is > 0 and <= MaxNoteBytes))
        {
            var bytes = new byte[note.FileSize];
            if (memory.ReadDumped(module.LoadBias + note.VirtualAddress, bytes) != bytes.Length)
                continue;
            var notes = new List<ElfNote>();
            try
            {
                ElfFile.ParseNotes(bytes, $"{module.Path} PT_NOTE", notes);
            }
            catch (InvalidDataException)
            {
                // A damaged note in memory only means the build-id is unknown.
                continue;
            }
            if (notes.FirstOrDefault(n => n.IsBuildId) is { } id)
            {
                module.BuildId = id.Descriptor;
                return;
            }
        }
    }
}
