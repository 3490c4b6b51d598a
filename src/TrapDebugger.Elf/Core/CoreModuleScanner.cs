using System.Buffers.Binary;

namespace TrapDebugger.Elf.Core;

/// <summary>Groups a core's NT_FILE mappings into modules and reads each one's ELF header and build-id from the core's own memory.</summary>
/// <remarks>The kernel dumps the first page of every ELF mapping (coredump_filter bit 4) precisely so that debuggers
/// can find the build-id note there; only bytes the core holds are used, never the file on disk, because the point is
/// to identify which file on disk is the right one. A file can be mapped more than once (Rust's backtrace code maps
/// the program and glibc's debug file as data): each mapping of file offset 0 starts a module of its own, and only the
/// ones in the dynamic loader's link map (r_debug, found through the program's DT_DEBUG) count as loaded.</remarks>
internal static class CoreModuleScanner
{
    private const int MaxProgramHeaders = 1024, MaxNoteBytes = 64 << 10, MaxDynamicEntries = 4096, MaxLinkMapEntries = 4096;
    private const long DT_NULL = 0, DT_DEBUG = 21;

    public static IReadOnlyList<CoreModule> Scan(CoreFile core)
    {
        var modules = new List<CoreModule>();
        var open = new Dictionary<string, List<CoreMappedFile>>(StringComparer.Ordinal);
        var groups = new List<(string Path, List<CoreMappedFile> Mappings)>();
        foreach (var f in core.MappedFiles.OrderBy(f => f.Start))
        {
            if (f.FileOffset == 0 || !open.TryGetValue(f.Path, out var list))
            {
                open[f.Path] = list = [];
                groups.Add((f.Path, list));
            }
            list.Add(f);
        }
        foreach (var (path, mappings) in groups)
        {
            var module = new CoreModule(path, mappings, mappings[0].Start, mappings.Max(f => f.End));
            if (mappings[0].FileOffset == 0)
                ReadHeaders(core.Memory, module, mappings[0].Start);
            modules.Add(module);
        }
        if (core.GetAuxv(AuxVector.AT_SYSINFO_EHDR) is { } vdso && vdso != 0 && !modules.Any(m => m.Contains(vdso))
            && core.Memory.FindSegment(vdso) is { } segment)
        {
            var module = new CoreModule("[vdso]", [], vdso, segment.End) { IsVdso = true };
            ReadHeaders(core.Memory, module, vdso);
            modules.Add(module);
        }
        var main = core.GetAuxv(AuxVector.AT_ENTRY) is { } entry ? modules.FirstOrDefault(m => m.Contains(entry)) : null;
        if (main != null)
            main.IsMainProgram = true;
        if (!MarkLinkMap(core.Memory, modules, main))
        {
            // No link map to go by (a static program, or its data is not in the core): every ELF image counts.
            foreach (var m in modules)
                m.IsLoaded = m.HasElfHeader;
        }
        return modules;
    }

    // r_debug (r_version, r_map) and link_map (l_addr, l_name, l_ld, l_next, l_prev) as glibc's <link.h> lays them out.
    private static bool MarkLinkMap(CoreMemory memory, List<CoreModule> modules, CoreModule? main)
    {
        if (main?.DynamicAddress is not { } dynamic)
            return false;
        ulong rDebug = 0;
        Span<byte> entry = stackalloc byte[16];
        for (int i = 0; i < MaxDynamicEntries && memory.Read(dynamic + (ulong)i * 16, entry) == 16; i++)
        {
            long tag = BinaryPrimitives.ReadInt64LittleEndian(entry);
            if (tag == DT_NULL) break;
            if (tag == DT_DEBUG) { rDebug = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]); break; }
        }
        if (rDebug == 0 || memory.Read(rDebug + 8, entry[..8]) != 8)
            return false;
        ulong link = BinaryPrimitives.ReadUInt64LittleEndian(entry);
        var seen = new HashSet<ulong>();
        Span<byte> node = stackalloc byte[32];
        bool any = false;
        while (link != 0 && seen.Count < MaxLinkMapEntries && seen.Add(link) && memory.Read(link, node) == node.Length)
        {
            ulong ld = BinaryPrimitives.ReadUInt64LittleEndian(node[16..]);
            // l_ld, the module's dynamic section, lies in the mapping the loader made, not in a copy mapped as data.
            if (modules.FirstOrDefault(m => m.Mappings.Any(f => f.Contains(ld)) || (m.IsVdso && ld >= m.Start && ld < m.End)) is { } module)
            {
                module.IsLoaded = true;
                any = true;
            }
            link = BinaryPrimitives.ReadUInt64LittleEndian(node[24..]);
        }
        main.IsLoaded = true;
        return any;
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
        if (headers.FirstOrDefault(p => p.Type == ElfSegmentType.Dynamic) is { Type: ElfSegmentType.Dynamic } dynamicSegment)
            module.DynamicAddress = module.LoadBias + dynamicSegment.VirtualAddress;
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
