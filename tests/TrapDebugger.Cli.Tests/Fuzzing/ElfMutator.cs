using System.Buffers.Binary;
using TrapDebugger.Elf;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>One mutant: its bytes, what was done to them, and whether the kernel would still load and run it the same way.</summary>
internal sealed record Mutant(byte[] Bytes, string How, bool StillRuns);

/// <summary>Makes mutants of one ELF file, knowing its layout: most mutations land inside the sections the readers parse
/// (DWARF, string tables, name index, call frame information, compressed-section headers, section headers), with the
/// field-sized values and LEB128 runs that break parsers; some are blind bit flips and truncations anywhere.</summary>
internal sealed class ElfMutator
{
    /// <summary>The sections whose contents are mutated structure-aware (in split files they end in ".dwo").</summary>
    private static readonly string[] Targets =
    [
        ".debug_info", ".debug_abbrev", ".debug_line", ".debug_line_str", ".debug_str", ".debug_str_offsets",
        ".debug_rnglists", ".debug_loclists", ".debug_addr", ".debug_names", ".debug_ranges", ".debug_loc",
        ".debug_aranges", ".debug_frame", ".eh_frame", ".eh_frame_hdr", ".debug_cu_index", ".debug_tu_index",
        ".symtab", ".strtab", ".dynsym", ".dynstr", ".dynamic", ".note.gnu.build-id", ".gnu_debuglink", ".shstrtab",
    ];

    // Values that sit on the edges parsers get wrong: zero, one, sign bits, all ones, and sizes just past a section.
    private static readonly ulong[] Interesting =
        [0, 1, 2, 4, 7, 8, 0x10, 0x40, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 0x100000000, long.MaxValue, ulong.MaxValue];

    private readonly byte[] original;
    private readonly List<Region> sections = [];
    private readonly List<Region> compressed = [];
    private readonly List<(int Start, int Length)> runsUnchanged = [];
    private readonly int sectionHeaders, sectionHeaderSize, sectionCount;

    // HeaderAt: where the region's Elf64_Shdr (or, for a core's segment, its Elf64_Phdr) is; -1 for none.
    private readonly record struct Region(string Name, int Start, int Length, int HeaderAt, bool IsSegment = false);

    /// <summary>Reads the layout of <paramref name="image"/>, a well-formed ELF file.</summary>
    public ElfMutator(byte[] image)
    {
        original = image;
        using var elf = ElfFile.Read(image, "seed");
        sectionHeaders = (int)elf.Header.SectionHeaderOffset;
        sectionHeaderSize = elf.Header.SectionHeaderEntrySize;
        sectionCount = (int)elf.Header.SectionHeaderCount;
        foreach (var s in elf.Sections)
        {
            if (!s.HasFileData || s.Size == 0) continue;
            var region = new Region(s.Name, (int)s.Offset, (int)s.Size, sectionHeaders + s.Index * sectionHeaderSize);
            string plain = s.Name.EndsWith(".dwo", StringComparison.Ordinal) ? s.Name[..^4] : s.Name;
            if (s.Name.StartsWith(".zdebug_", StringComparison.Ordinal)) plain = ".debug_" + s.Name[8..];
            if (Targets.Contains(plain)) sections.Add(region);
            if (s.IsCompressed || s.Name.StartsWith(".zdebug_", StringComparison.Ordinal)) compressed.Add(region);
            // What the loader never reads: changing it leaves the running program as it was. (.eh_frame is read only by
            // C++ exceptions and backtraces the program itself takes, which the runnable seeds do not.)
            if (!s.IsAllocated || s.Name is ".eh_frame" or ".eh_frame_hdr") runsUnchanged.Add(((int)s.Offset, (int)s.Size));
        }
        runsUnchanged.Add((sectionHeaders, sectionCount * sectionHeaderSize));
        if (elf.Header.Type == ElfFileType.Core)
        {
            // A core is read through its program headers: its notes (threads, registers, signal, auxv, NT_FILE) and the
            // table itself (PT_LOAD ranges, offsets and sizes) are what its reader parses.
            int table = (int)elf.Header.ProgramHeaderOffset, entry = elf.Header.ProgramHeaderEntrySize;
            sections.Add(new Region("program headers", table, elf.Segments.Count * entry, -1));
            for (int i = 0; i < elf.Segments.Count; i++)
            {
                var p = elf.Segments[i];
                if (p.Type == ElfSegmentType.Note && p.FileSize > 0)
                    sections.Add(new Region("PT_NOTE", (int)p.Offset, (int)p.FileSize, table + i * entry, IsSegment: true));
            }
        }
    }

    /// <summary>The names of the sections mutated structure-aware.</summary>
    public IEnumerable<string> TargetSections => sections.Select(s => s.Name);

    /// <summary>Makes one mutant; the same <paramref name="random"/> state always gives the same mutant.</summary>
    public Mutant Mutate(Random random)
    {
        var bytes = (byte[])original.Clone();
        var changed = new List<(int Start, int Length)>();
        string how;
        int choice = random.Next(100);
        if (choice < 4)
        {
            int length = random.Next(original.Length);
            return new Mutant(original[..length], $"truncated to {length} bytes", false);
        }
        else if (choice < 12)
            how = FlipAnywhere(bytes, random, changed);
        else if (sections.Count == 0)
            how = FlipAnywhere(bytes, random, changed);
        else
        {
            var section = sections[random.Next(sections.Count)];
            if (choice < 36)
                how = FlipIn(bytes, section, random, changed);
            else if (choice < 52)
                how = WriteField(bytes, section, random, changed);
            else if (choice < 58)
                how = Fill(bytes, section, random, changed);
            else if (choice < 64)
                how = StretchLeb128(bytes, section, random, changed);
            else if (choice < 70)
                how = Splice(bytes, section, random, changed);
            else if (choice < 82)
                how = CorruptHeader(bytes, section, random, changed);
            else if (choice < 90 && compressed.Count > 0)
                how = CorruptCompressed(bytes, compressed[random.Next(compressed.Count)], random, changed);
            else
            {
                // Two mutations in different places: a bad offset often needs a bad target to reach the code that trusts it.
                how = FlipIn(bytes, section, random, changed) + "; " + WriteField(bytes, sections[random.Next(sections.Count)], random, changed);
            }
        }
        bool stillRuns = changed.All(c => runsUnchanged.Any(r => c.Start >= r.Start && c.Start + c.Length <= r.Start + r.Length));
        return new Mutant(bytes, how, stillRuns);
    }

    private static string FlipAnywhere(byte[] bytes, Random random, List<(int, int)> changed)
    {
        int flips = 1 + random.Next(8);
        var at = new List<int>();
        for (int i = 0; i < flips; i++)
        {
            int p = random.Next(bytes.Length);
            Change(bytes, p, random);
            changed.Add((p, 1));
            at.Add(p);
        }
        return $"bytes changed at {string.Join(",", at.Select(p => $"0x{p:x}"))}";
    }

    private static string FlipIn(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        int flips = 1 + random.Next(6);
        var at = new List<int>();
        for (int i = 0; i < flips; i++)
        {
            int p = section.Start + random.Next(section.Length);
            Change(bytes, p, random);
            changed.Add((p, 1));
            at.Add(p - section.Start);
        }
        return $"{section.Name}: bytes changed at +{string.Join(",+", at.Select(p => $"0x{p:x}"))}";
    }

    private static void Change(byte[] bytes, int at, Random random)
    {
        if (random.Next(3) == 0) bytes[at] = (byte)random.Next(256);
        else bytes[at] ^= (byte)(1 << random.Next(8));
    }

    private static string WriteField(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        int size = random.Next(4) switch { 0 => 1, 1 => 2, 2 => 4, _ => 8 };
        if (section.Length < size) return FlipIn(bytes, section, random, changed);
        int at = section.Start + random.Next(section.Length - size + 1);
        if (random.Next(2) == 0) at = section.Start + (at - section.Start) / size * size; // aligned fields are the common case
        ulong value = random.Next(5) == 0 ? (ulong)(section.Length + random.Next(-8, 9)) : Interesting[random.Next(Interesting.Length)];
        WriteLittleEndian(bytes, at, size, value);
        changed.Add((at, size));
        return $"{section.Name}: {size}-byte field at +0x{at - section.Start:x} set to 0x{value & (size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1):x}";
    }

    private static string Fill(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        bool whole = random.Next(3) == 0;
        int start = whole ? 0 : random.Next(section.Length);
        int length = whole ? section.Length : Math.Min(section.Length - start, 1 + random.Next(64));
        byte value = random.Next(2) == 0 ? (byte)0 : (byte)0xff;
        bytes.AsSpan(section.Start + start, length).Fill(value);
        changed.Add((section.Start + start, length));
        return whole ? $"{section.Name}: every byte set to 0x{value:x2}" : $"{section.Name}: 0x{length:x} bytes at +0x{start:x} set to 0x{value:x2}";
    }

    // A run of bytes with the continuation bit set turns one LEB128 number into a very long (or endless) one.
    private static string StretchLeb128(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        int start = random.Next(section.Length);
        int length = Math.Min(section.Length - start, 1 + random.Next(16));
        for (int i = 0; i < length; i++) bytes[section.Start + start + i] |= 0x80;
        changed.Add((section.Start + start, length));
        return $"{section.Name}: continuation bit set on 0x{length:x} bytes at +0x{start:x}";
    }

    // Copies bytes from elsewhere in the section: well-formed pieces in the wrong place (a DIE where a header is).
    private static string Splice(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        int length = Math.Min(section.Length, 1 + random.Next(32));
        int from = random.Next(section.Length - length + 1);
        int to = random.Next(section.Length - length + 1);
        Array.Copy(bytes, section.Start + from, bytes, section.Start + to, length);
        changed.Add((section.Start + to, length));
        return $"{section.Name}: 0x{length:x} bytes from +0x{from:x} copied to +0x{to:x}";
    }

    // The section's Elf64_Shdr: a size, offset, type, flags or link that no longer matches the contents.
    private string CorruptHeader(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        if (section.HeaderAt < 0) return WriteField(bytes, section, random, changed);
        if (section.IsSegment) return CorruptProgramHeader(bytes, section, random, changed);
        (string Field, int Offset, int Size) field = random.Next(7) switch
        {
            0 => ("sh_name", 0, 4),
            1 => ("sh_type", 4, 4),
            2 => ("sh_flags", 8, 8),
            3 => ("sh_offset", 24, 8),
            4 => ("sh_link", 40, 4),
            5 => ("sh_entsize", 56, 8),
            _ => ("sh_size", 32, 8),
        };
        int at = section.HeaderAt + field.Offset;
        if (at + field.Size > bytes.Length) return FlipIn(bytes, section, random, changed);
        ulong old = field.Size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
        ulong value = field.Field switch
        {
            "sh_size" => random.Next(3) switch { 0 => (ulong)random.Next(section.Length + 1), 1 => old + (ulong)random.Next(1, 4096), _ => Interesting[random.Next(Interesting.Length)] },
            "sh_offset" => random.Next(2) == 0 ? old + (ulong)random.Next(-64, 65) : Interesting[random.Next(Interesting.Length)],
            "sh_flags" => old ^ (random.Next(2) == 0 ? ElfSection.SHF_COMPRESSED : 1UL << random.Next(12)),
            "sh_link" => (ulong)random.Next(sectionCount + 2),
            _ => Interesting[random.Next(Interesting.Length)],
        };
        WriteLittleEndian(bytes, at, field.Size, value);
        changed.Add((at, field.Size));
        return $"{section.Name}: {field.Field} 0x{old:x} -> 0x{value:x}";
    }

    // The segment's Elf64_Phdr: a type, offset or size that no longer matches the contents.
    private static string CorruptProgramHeader(byte[] bytes, Region segment, Random random, List<(int, int)> changed)
    {
        (string Field, int Offset, int Size) field = random.Next(4) switch
        {
            0 => ("p_type", 0, 4),
            1 => ("p_offset", 8, 8),
            2 => ("p_memsz", 40, 8),
            _ => ("p_filesz", 32, 8),
        };
        int at = segment.HeaderAt + field.Offset;
        ulong old = field.Size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
        ulong value = random.Next(2) == 0 ? old + (ulong)random.Next(-64, 65) : Interesting[random.Next(Interesting.Length)];
        WriteLittleEndian(bytes, at, field.Size, value);
        changed.Add((at, field.Size));
        return $"{segment.Name}: {field.Field} 0x{old:x} -> 0x{value:x}";
    }

    // Elf64_Chdr (ch_type, ch_size) or the compressed stream of a SHF_COMPRESSED or .zdebug_ section.
    private static string CorruptCompressed(byte[] bytes, Region section, Random random, List<(int, int)> changed)
    {
        bool legacy = section.Name.StartsWith(".zdebug_", StringComparison.Ordinal);
        int choice = random.Next(4);
        if (choice == 0 && !legacy && section.Length >= 24)
        {
            uint type = (uint)random.Next(4);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(section.Start), type);
            changed.Add((section.Start, 4));
            return $"{section.Name}: ch_type set to {type}";
        }
        if (choice == 1 && section.Length >= 16)
        {
            int at = section.Start + (legacy ? 4 : 8);
            ulong size = Interesting[random.Next(Interesting.Length)];
            if (legacy) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at), size);
            else BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), size);
            changed.Add((at, 8));
            return $"{section.Name}: uncompressed size set to 0x{size:x}";
        }
        int header = legacy ? 12 : 24;
        if (section.Length <= header) return FlipIn(bytes, section, random, changed);
        // The first bytes of the stream (zlib's CMF/FLG, zstd's magic and frame header), or anywhere in it.
        int p = section.Start + header + (choice == 2 ? random.Next(Math.Min(8, section.Length - header)) : random.Next(section.Length - header));
        Change(bytes, p, random);
        changed.Add((p, 1));
        return $"{section.Name}: compressed byte at +0x{p - section.Start:x} changed";
    }

    private static void WriteLittleEndian(byte[] bytes, int at, int size, ulong value)
    {
        for (int i = 0; i < size; i++) bytes[at + i] = (byte)(value >> (8 * i));
    }
}
