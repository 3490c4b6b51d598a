using TrapDebugger.Elf;

namespace TrapDebugger.Cores;

/// <summary>Decides which bytes of a process a written core holds: enough to show every thread's stack, variables and the check that fired, not every page.</summary>
/// <remarks>
/// Included: every readable writable mapping (heap, stacks, .data/.bss, the loader's link map), readable anonymous memory,
/// read-only file mappings the process changed (RELRO data: .dynamic, whose DT_DEBUG leads debuggers to the link map),
/// the vDSO (it has no file), the first page of every file mapping that starts with an ELF header (for build-ids, as the
/// kernel's coredump_filter bit 4 does), and the code around each thread's pc (<see cref="CodeWindow"/> bytes either side,
/// so a trap's instruction and the compares before it can be decoded without the files).
/// Left out (recorded as PT_LOAD with p_filesz 0): the rest of read-only file mappings (code and constants, which a
/// debugger reads from the files NT_FILE names), mappings that cannot be read (guard pages), and [vvar]/[vsyscall],
/// which the kernel does not let a tracer read either.
/// </remarks>
public sealed class CoreMemorySelection
{
    /// <summary>The page size regions are rounded to.</summary>
    public const ulong PageSize = 4096;

    /// <summary>Bytes of code kept on either side of each thread's pc (rounded out to whole pages).</summary>
    public ulong CodeWindow { get; init; } = 2 * PageSize;

    /// <summary>Splits <paramref name="mappings"/> into included and omitted regions for threads stopped at <paramref name="programCounters"/>.</summary>
    /// <param name="mappings">The process's mappings.</param>
    /// <param name="programCounters">Each thread's rip.</param>
    /// <param name="memory">The process's memory, used to see which file mappings start with an ELF header.</param>
    public IReadOnlyList<CoreRegion> Select(IEnumerable<ProcessMapping> mappings, IEnumerable<ulong> programCounters, IByteSource memory)
    {
        var pcs = programCounters.ToList();
        var regions = new List<CoreRegion>();
        foreach (var m in mappings.OrderBy(m => m.Start))
        {
            if (m.End <= m.Start) continue;
            if (m.Path is "[vvar]" or "[vvar_vclock]" or "[vsyscall]" || !m.Readable)
            {
                regions.Add(new CoreRegion(m.Start, m.End, m.SegmentFlags, false));
                continue;
            }
            if (m.Writable || !m.IsFileBacked || m.HasPrivateChanges)
            {
                regions.Add(new CoreRegion(m.Start, m.End, m.SegmentFlags, true));
                continue;
            }
            // A read-only file mapping: keep the ELF header page and code windows, leave the rest to the file.
            var kept = new List<(ulong Start, ulong End)>();
            if (m.FileOffset == 0 && StartsWithElfHeader(memory, m.Start))
                kept.Add((m.Start, Math.Min(m.End, m.Start + PageSize)));
            foreach (var pc in pcs.Where(pc => pc >= m.Start && pc < m.End))
                kept.Add((Math.Max(m.Start, AlignDown(pc) - AlignDown(CodeWindow)), Math.Min(m.End, AlignDown(pc) + PageSize + AlignDown(CodeWindow))));
            AddSplit(regions, m, kept);
        }
        return regions;
    }

    private static void AddSplit(List<CoreRegion> regions, ProcessMapping m, List<(ulong Start, ulong End)> kept)
    {
        ulong at = m.Start;
        foreach (var (start, end) in Merge(kept))
        {
            if (start > at) regions.Add(new CoreRegion(at, start, m.SegmentFlags, false));
            regions.Add(new CoreRegion(start, end, m.SegmentFlags, true));
            at = end;
        }
        if (at < m.End) regions.Add(new CoreRegion(at, m.End, m.SegmentFlags, false));
    }

    private static IEnumerable<(ulong Start, ulong End)> Merge(List<(ulong Start, ulong End)> ranges)
    {
        (ulong Start, ulong End)? current = null;
        foreach (var r in ranges.OrderBy(r => r.Start))
        {
            if (current is { } c && r.Start <= c.End)
                current = (c.Start, Math.Max(c.End, r.End));
            else
            {
                if (current is { } done) yield return done;
                current = r;
            }
        }
        if (current is { } last) yield return last;
    }

    private static bool StartsWithElfHeader(IByteSource memory, ulong address)
    {
        Span<byte> magic = stackalloc byte[4];
        return memory.Read(address, magic) == 4 && magic.SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']);
    }

    private static ulong AlignDown(ulong value) => value & ~(PageSize - 1);
}
