using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace TrapDebugger.Elf;

/// <summary>An ELF64 little-endian x86-64 file: headers, sections, symbols, notes and dynamic information, read lazily through an <see cref="IByteSource"/>.</summary>
/// <remarks>Only the headers are read when the file is opened; section contents are read (and decompressed) on first
/// use and cached, so opening a large debug file costs a few page faults.</remarks>
public sealed class ElfFile : IDisposable
{
    /// <summary>The largest section this reader will load into memory (2 GiB minus headroom for arrays).</summary>
    public const long MaxSectionSize = int.MaxValue - 64;
    private const ushort PN_XNUM = 0xffff;
    private const int MaxSections = 1 << 20, MaxSegments = 1 << 22;

    private readonly IByteSource _source;
    private readonly ulong _length;
    private readonly IDisposable? _owned;
    private readonly ConcurrentDictionary<int, ReadOnlyMemory<byte>> _sectionData = new();
    private readonly Lazy<ElfSymbolTable> _symbols;
    private readonly Lazy<IReadOnlyList<ElfNote>> _notes;
    private readonly Lazy<ElfDynamicInfo> _dynamic;
    private readonly Dictionary<string, ElfSection> _byName = new(StringComparer.Ordinal);

    private ElfFile(IByteSource source, ulong length, string name, IDisposable? owned)
    {
        _source = source;
        _length = length;
        _owned = owned;
        Name = name;
        Header = ReadHeader();
        Sections = ReadSections();
        foreach (var s in Sections)
            _byName.TryAdd(s.Name, s);
        Segments = ReadSegments();
        _symbols = new(() => new ElfSymbolTable(this));
        _notes = new(ReadNotes);
        _dynamic = new(ReadDynamic);
    }

    /// <summary>The path or description the file was opened from (used in messages).</summary>
    public string Name { get; }

    /// <summary>The file header.</summary>
    public ElfHeader Header { get; }

    /// <summary>Every section header, indexed by section number.</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>Every program header.</summary>
    public IReadOnlyList<ElfSegment> Segments { get; }

    /// <summary>The symbols of .symtab and .dynsym.</summary>
    public ElfSymbolTable Symbols => _symbols.Value;

    /// <summary>Every note in the file's SHT_NOTE sections (or PT_NOTE segments when there are no section headers).</summary>
    public IReadOnlyList<ElfNote> Notes => _notes.Value;

    /// <summary>The dynamic section's needed libraries, soname and DT_DEBUG slot.</summary>
    public ElfDynamicInfo Dynamic => _dynamic.Value;

    /// <summary>The GNU build id (NT_GNU_BUILD_ID descriptor), or null.</summary>
    public byte[]? BuildId => Notes.FirstOrDefault(n => n.IsBuildId)?.Descriptor;

    /// <summary>The build id as lower-case hex, or null.</summary>
    public string? BuildIdHex => BuildId is { Length: > 0 } id ? Convert.ToHexStringLower(id) : null;

    /// <summary>True for position-independent executables and shared objects, which load at a bias from their link addresses.</summary>
    public bool IsPositionIndependent => Header.Type == ElfFileType.SharedObject;

    /// <summary>The link-time virtual address of the first PT_LOAD segment, rounded down to its page alignment.</summary>
    public ulong FirstLoadAddress
    {
        get
        {
            foreach (var s in Segments)
                if (s.Type == ElfSegmentType.Load)
                    return s.Alignment > 1 && ulong.IsPow2(s.Alignment) ? s.VirtualAddress & ~(s.Alignment - 1) : s.VirtualAddress;
            return 0;
        }
    }

    /// <summary>The load bias (run-time address minus link-time address) when the first PT_LOAD is mapped at <paramref name="mappedStart"/>.</summary>
    public ulong LoadBias(ulong mappedStart) => mappedStart - FirstLoadAddress;

    /// <summary>Memory-maps and opens the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a supported ELF file.</exception>
    public static ElfFile Open(string path)
    {
        var mapped = MappedFile.Open(path);
        try
        {
            return new ElfFile(mapped, (ulong)mapped.Length, path, mapped);
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    /// <summary>Opens an ELF image served by <paramref name="source"/> whose size is <paramref name="length"/> bytes.</summary>
    public static ElfFile Read(IByteSource source, ulong length, string name) => new(source, length, name, null);

    /// <summary>Opens an ELF image held in memory.</summary>
    public static ElfFile Read(byte[] image, string name = "image") => new(new ByteArraySource(image), (ulong)image.Length, name, null);

    /// <summary>The first section called <paramref name="name"/>, or null.</summary>
    public ElfSection? FindSection(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The section that contains link-time address <paramref name="address"/>, or null.</summary>
    public ElfSection? FindSectionByAddress(ulong address)
    {
        foreach (var s in Sections)
            if (s.IsAllocated && address >= s.Address && address - s.Address < s.Size)
                return s;
        return null;
    }

    /// <summary>The contents of a section, decompressed if it is SHF_COMPRESSED or a legacy .zdebug section; cached after the first call.</summary>
    /// <exception cref="InvalidDataException">The section lies outside the file or does not decompress.</exception>
    public ReadOnlyMemory<byte> GetSectionData(ElfSection section)
    {
        if (_sectionData.TryGetValue(section.Index, out var cached))
            return cached;
        var data = LoadSectionData(section);
        return _sectionData.GetOrAdd(section.Index, data);
    }

    /// <summary>The contents of the DWARF section <paramref name="name"/> (".debug_info"), also found under its legacy ".zdebug_" name; empty if absent.</summary>
    public ReadOnlyMemory<byte> GetDebugSection(string name)
    {
        if (FindSection(name) is { } s)
            return s.HasFileData ? GetSectionData(s) : ReadOnlyMemory<byte>.Empty;
        if (name.StartsWith(".debug_", StringComparison.Ordinal) && FindSection(".zdebug_" + name[7..]) is { } z)
            return GetSectionData(z);
        return ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>The file name and CRC32 recorded in .gnu_debuglink, or null.</summary>
    public (string FileName, uint Crc)? DebugLink
    {
        get
        {
            if (FindSection(".gnu_debuglink") is not { } s) return null;
            var r = new ByteReader(GetSectionData(s).Span, ".gnu_debuglink");
            string name = r.ReadCString();
            r.Position = (int)((r.Position + 3) & ~3);
            return (name, r.ReadU32());
        }
    }

    /// <summary>Copies <paramref name="buffer"/>.Length bytes at file offset <paramref name="offset"/>; fails if they are not all there.</summary>
    public void ReadExactly(ulong offset, Span<byte> buffer, string what)
    {
        if (offset > _length || (ulong)buffer.Length > _length - offset || _source.Read(offset, buffer) != buffer.Length)
            throw new InvalidDataException($"{Name}: {what} at file offset 0x{offset:x} (+0x{buffer.Length:x}) runs past the end of the {_length}-byte file");
    }

    /// <inheritdoc />
    public void Dispose() => _owned?.Dispose();

    // Sizes come from the file: check them against the file before allocating a buffer for them.
    private void CheckInFile(ulong offset, ulong size, string what)
    {
        if (offset > _length || size > _length - offset)
            throw new InvalidDataException($"{Name}: {what} at file offset 0x{offset:x} (+0x{size:x}) runs past the end of the {_length}-byte file");
    }

    private ElfHeader ReadHeader()
    {
        Span<byte> h = stackalloc byte[64];
        if (_length < 64)
            throw new InvalidDataException($"{Name} at offset 0x0: file is {_length} bytes, too short for an ELF header");
        ReadExactly(0, h, "ELF header");
        if (h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F')
            throw new InvalidDataException($"{Name}: not an ELF file (bad magic at offset 0x0)");
        if (h[4] != 2)
            throw new InvalidDataException($"{Name}: only ELF64 is supported (EI_CLASS {h[4]} at offset 0x4)");
        if (h[5] != 1)
            throw new InvalidDataException($"{Name}: only little-endian ELF is supported (EI_DATA {h[5]} at offset 0x5)");
        var r = new ByteReader(h, $"{Name} ELF header", 16);
        var type = (ElfFileType)r.ReadU16();
        ushort machine = r.ReadU16();
        if (machine != 62)
            throw new InvalidDataException($"{Name}: only x86-64 is supported (e_machine {machine} at offset 0x12)");
        r.ReadU32();
        ulong entry = r.ReadU64(), phoff = r.ReadU64(), shoff = r.ReadU64();
        r.ReadU32();
        r.ReadU16();
        ushort phentsize = r.ReadU16(), phnum = r.ReadU16(), shentsize = r.ReadU16(), shnum = r.ReadU16(), shstrndx = r.ReadU16();
        uint sectionCount = shnum, nameIndex = shstrndx, segmentCount = phnum;
        if (shoff != 0 && (shnum == 0 || shstrndx == 0xffff || phnum == PN_XNUM))
        {
            // Extended numbering: the real counts live in section header 0.
            if (shentsize < 64)
                throw new InvalidDataException($"{Name}: e_shentsize {shentsize} at offset 0x3a is smaller than Elf64_Shdr");
            Span<byte> s0 = stackalloc byte[64];
            ReadExactly(shoff, s0, "section header 0");
            if (shnum == 0) sectionCount = (uint)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(s0[32..]), uint.MaxValue);
            if (shstrndx == 0xffff) nameIndex = BinaryPrimitives.ReadUInt32LittleEndian(s0[40..]);
            // A core of a process with 65535 or more mappings keeps its segment count in sh_info.
            if (phnum == PN_XNUM) segmentCount = BinaryPrimitives.ReadUInt32LittleEndian(s0[44..]);
        }
        return new ElfHeader(type, machine, entry, phoff, shoff, phentsize, segmentCount, shentsize, sectionCount, nameIndex);
    }

    private List<ElfSection> ReadSections()
    {
        var list = new List<ElfSection>();
        if (Header.SectionHeaderOffset == 0 || Header.SectionHeaderCount == 0)
            return list;
        if (Header.SectionHeaderEntrySize < 64)
            throw new InvalidDataException($"{Name}: e_shentsize {Header.SectionHeaderEntrySize} at offset 0x3a is smaller than Elf64_Shdr (64)");
        if (Header.SectionHeaderCount > MaxSections)
            throw new InvalidDataException($"{Name}: section count {Header.SectionHeaderCount} exceeds the maximum of {MaxSections}");
        ulong tableSize = (ulong)Header.SectionHeaderCount * Header.SectionHeaderEntrySize;
        CheckInFile(Header.SectionHeaderOffset, tableSize, "section header table");
        var table = new byte[tableSize];
        ReadExactly(Header.SectionHeaderOffset, table, "section header table");
        var raw = new (uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size, uint Link, uint Info, ulong Align, ulong EntSize)[Header.SectionHeaderCount];
        for (int i = 0; i < raw.Length; i++)
        {
            var r = new ByteReader(table, $"{Name} section header {i}", i * Header.SectionHeaderEntrySize);
            raw[i] = (r.ReadU32(), r.ReadU32(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU32(), r.ReadU32(), r.ReadU64(), r.ReadU64());
        }
        byte[] names = [];
        if (Header.SectionNameTableIndex != 0 && Header.SectionNameTableIndex < raw.Length)
        {
            var n = raw[Header.SectionNameTableIndex];
            if (n.Type != (uint)ElfSectionType.NoBits)
            {
                CheckInFile(n.Offset, n.Size, "section name table");
                names = new byte[n.Size];
                ReadExactly(n.Offset, names, "section name table");
            }
        }
        string namesOrigin = $"{Name} section name table";
        for (int i = 0; i < raw.Length; i++)
        {
            var s = raw[i];
            string name = s.Name < names.Length ? ReadString(names, s.Name, namesOrigin) : "";
            list.Add(new ElfSection(i, name, (ElfSectionType)s.Type, s.Flags, s.Addr, s.Offset, s.Size, s.Link, s.Info, s.Align, s.EntSize));
        }
        return list;
    }

    private List<ElfSegment> ReadSegments()
    {
        var list = new List<ElfSegment>();
        if (Header.ProgramHeaderOffset == 0 || Header.ProgramHeaderCount == 0)
            return list;
        if (Header.ProgramHeaderEntrySize < 56)
            throw new InvalidDataException($"{Name}: e_phentsize {Header.ProgramHeaderEntrySize} at offset 0x36 is smaller than Elf64_Phdr (56)");
        if (Header.ProgramHeaderCount > MaxSegments)
            throw new InvalidDataException($"{Name}: program header count {Header.ProgramHeaderCount} exceeds the maximum of {MaxSegments}");
        ulong tableSize = (ulong)Header.ProgramHeaderCount * Header.ProgramHeaderEntrySize;
        CheckInFile(Header.ProgramHeaderOffset, tableSize, "program header table");
        if (tableSize > MaxSectionSize)
            throw new InvalidDataException($"{Name}: program header table of 0x{tableSize:x} bytes exceeds the maximum of 0x{MaxSectionSize:x}");
        var table = new byte[tableSize];
        ReadExactly(Header.ProgramHeaderOffset, table, "program header table");
        for (int i = 0; i < Header.ProgramHeaderCount; i++)
        {
            var r = new ByteReader(table, $"{Name} program header {i}", (int)(i * Header.ProgramHeaderEntrySize));
            var type = (ElfSegmentType)r.ReadU32();
            uint flags = r.ReadU32();
            list.Add(new ElfSegment(type, flags, r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64(), r.ReadU64()));
        }
        return list;
    }

    private ReadOnlyMemory<byte> LoadSectionData(ElfSection section)
    {
        if (!section.HasFileData || section.Size == 0)
            return ReadOnlyMemory<byte>.Empty;
        if (section.Size > MaxSectionSize)
            throw new InvalidDataException($"{Name}: section {section.Name} size 0x{section.Size:x} exceeds the maximum of 0x{MaxSectionSize:x}");
        if (section.Offset > _length || section.Size > _length - section.Offset)
            throw new InvalidDataException($"{Name}: section {section.Name} (offset 0x{section.Offset:x}, size 0x{section.Size:x}) runs past the end of the {_length}-byte file");
        ReadOnlyMemory<byte> raw;
        if (_source is MappedFile mapped)
            raw = mapped.Slice((long)section.Offset, (int)section.Size);
        else
        {
            var bytes = new byte[section.Size];
            ReadExactly(section.Offset, bytes, $"section {section.Name}");
            raw = bytes;
        }
        if (section.IsCompressed)
            return SectionDecompressor.DecompressElfSection(raw.Span, $"{Name} section {section.Name}");
        if (section.Name.StartsWith(".zdebug_", StringComparison.Ordinal))
            return SectionDecompressor.DecompressLegacy(raw.Span, $"{Name} section {section.Name}");
        return raw;
    }

    private IReadOnlyList<ElfNote> ReadNotes()
    {
        var notes = new List<ElfNote>();
        var noteSections = Sections.Where(s => s.Type == ElfSectionType.Note).ToList();
        if (noteSections.Count > 0)
        {
            foreach (var s in noteSections)
                ParseNotes(GetSectionData(s).Span, $"{Name} section {s.Name}", notes);
        }
        else
        {
            foreach (var p in Segments.Where(p => p.Type == ElfSegmentType.Note))
            {
                if (p.FileSize > 1 << 20) continue;
                CheckInFile(p.Offset, p.FileSize, "PT_NOTE segment");
                var bytes = new byte[p.FileSize];
                ReadExactly(p.Offset, bytes, "PT_NOTE segment");
                ParseNotes(bytes, $"{Name} PT_NOTE at 0x{p.Offset:x}", notes);
            }
        }
        return notes;
    }

    internal static void ParseNotes(ReadOnlySpan<byte> data, string origin, List<ElfNote> notes)
    {
        var r = new ByteReader(data, origin);
        while (r.Remaining >= 12)
        {
            uint nameSize = r.ReadU32(), descSize = r.ReadU32(), type = r.ReadU32();
            if (nameSize > r.Remaining)
                throw new InvalidDataException($"{origin} at offset 0x{r.Position - 12:x}: note name size {nameSize} runs past the end");
            var nameBytes = r.ReadBytes((int)nameSize);
            r.Skip(Math.Min(Pad4(nameSize) - nameSize, (uint)r.Remaining));
            if (descSize > r.Remaining)
                throw new InvalidDataException($"{origin} at offset 0x{r.Position:x}: note descriptor size {descSize} runs past the end");
            var desc = r.ReadBytes((int)descSize).ToArray();
            r.Skip(Math.Min(Pad4(descSize) - descSize, (uint)r.Remaining));
            int nul = nameBytes.IndexOf((byte)0);
            notes.Add(new ElfNote(Encoding.UTF8.GetString(nul >= 0 ? nameBytes[..nul] : nameBytes), type, desc));
        }
    }

    private static uint Pad4(uint n) => (uint)(((ulong)n + 3) & ~3UL);

    private ElfDynamicInfo ReadDynamic()
    {
        var dyn = Sections.FirstOrDefault(s => s.Type == ElfSectionType.Dynamic);
        if (dyn == null)
            return ElfDynamicInfo.Empty;
        var data = GetSectionData(dyn).Span;
        var origin = $"{Name} section {dyn.Name}";
        var entries = new List<(long, ulong)>();
        ulong? debugSlot = null;
        var r = new ByteReader(data, origin);
        while (r.Remaining >= 16)
        {
            ulong slot = dyn.Address + (ulong)r.Position + 8;
            long tag = r.ReadI64();
            ulong value = r.ReadU64();
            if (tag == ElfDynamicInfo.DT_NULL) break;
            entries.Add((tag, value));
            if (tag == ElfDynamicInfo.DT_DEBUG) debugSlot = slot;
        }
        // Names are offsets into the string table sh_link names (DT_STRTAB is a run-time address).
        byte[] strings = dyn.Link < Sections.Count ? GetSectionData(Sections[(int)dyn.Link]).ToArray() : [];
        string Str(ulong offset) => offset < (ulong)strings.Length ? ReadString(strings, (uint)offset, $"{origin} string table")
            : throw new InvalidDataException($"{origin}: string offset 0x{offset:x} is outside the dynamic string table");
        var needed = entries.Where(e => e.Item1 == ElfDynamicInfo.DT_NEEDED).Select(e => Str(e.Item2)).ToList();
        string? soname = entries.Where(e => e.Item1 == ElfDynamicInfo.DT_SONAME).Select(e => Str(e.Item2)).FirstOrDefault();
        return new ElfDynamicInfo(needed, soname, debugSlot, entries);
    }

    // A string that runs to the end of its table is corrupt: read leniently, every name of a table without NULs would
    // be the rest of the table, and a large table would take quadratic time and memory.
    internal static string ReadString(ReadOnlySpan<byte> table, uint offset, string origin)
    {
        if (offset >= table.Length) return "";
        var rest = table[(int)offset..];
        int n = rest.IndexOf((byte)0);
        if (n < 0)
            throw new InvalidDataException($"{origin} at offset 0x{offset:x}: string is not NUL-terminated");
        return Encoding.UTF8.GetString(rest[..n]);
    }
}
