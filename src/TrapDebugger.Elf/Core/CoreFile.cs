using System.Buffers.Binary;

namespace TrapDebugger.Elf.Core;

/// <summary>An ELF core file of a Linux x86-64 process: its threads, signal, auxiliary vector, mapped files, modules and memory.</summary>
/// <remarks>Reads kernel cores, gdb's <c>gcore</c>/<c>generate-core-file</c> cores, lldb's <c>process save-core</c> cores
/// and the zstd-compressed cores of systemd-coredump. The file is memory-mapped; every size it states is checked against
/// the file before anything is allocated for it, and anything malformed is a <see cref="CoreFormatException"/>.</remarks>
public sealed class CoreFile : IDisposable
{
    private const int MaxNoteSegmentSize = 256 << 20;

    private readonly IByteSource _source;
    private readonly IDisposable? _owned;
    private readonly ICoreBackingFiles _backingFiles;
    private readonly Dictionary<string, IByteSource?> _openedBackingFiles = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private readonly List<CoreThread> _threads = [];
    private AuxVector _auxv = AuxVector.Parse([]);
    private readonly List<CoreMappedFile> _mappedFiles = [];
    private readonly Dictionary<string, string?> _buildIdByPath = new(StringComparer.Ordinal);

    private CoreFile(IByteSource source, ulong length, string name, IDisposable? owned, ICoreBackingFiles? backingFiles, string? compression)
    {
        _source = source;
        _owned = owned;
        _backingFiles = backingFiles ?? new ModuleFileLocator();
        Name = name;
        Compression = compression;
        ElfFile elf;
        try
        {
            elf = ElfFile.Read(source, length, name);
        }
        catch (InvalidDataException e)
        {
            throw new CoreFormatException($"{name} is not a readable core file: {Sentence(e.Message, name)}", e);
        }
        if (elf.Header.Type != ElfFileType.Core)
            throw new CoreFormatException($"{name} is an ELF {Describe(elf.Header.Type)}, not a core file.");
        try
        {
            var segments = new List<CoreSegment>();
            ulong missing = 0;
            foreach (var p in elf.Segments)
            {
                if (p.Type == ElfSegmentType.Note)
                    ReadNotes(p, length);
                else if (p.Type == ElfSegmentType.Load)
                    segments.Add(LoadSegment(p, length, ref missing));
            }
            if (missing > 0)
                _warnings.Add($"{name} is truncated: {missing} bytes of the memory it describes are missing from the file.");
            if (_threads.Count == 0)
                throw new CoreFormatException($"{name} has no NT_PRSTATUS note, so it holds no thread to show.");
            Memory = new CoreMemory(source, segments, _mappedFiles, OpenBackingFile);
            Modules = CoreModuleScanner.Scan(this);
            foreach (var m in Modules)
                _buildIdByPath[m.Path] = m.BuildIdHex;
        }
        catch (InvalidDataException e)
        {
            throw new CoreFormatException($"{name} is a damaged core file: {Sentence(e.Message, name)}", e);
        }
    }

    /// <summary>The path or description the core was opened from.</summary>
    public string Name { get; }

    /// <summary>"zstd" when the file was compressed by systemd-coredump and inflated on open, otherwise null.</summary>
    public string? Compression { get; }

    /// <summary>Every thread, in the core's order: the kernel puts the thread that received the fatal signal first.</summary>
    public IReadOnlyList<CoreThread> Threads => _threads;

    /// <summary>The thread that took the signal that ended the process (the first one).</summary>
    public CoreThread SignalledThread => _threads[0];

    /// <summary>The process description (NT_PRPSINFO), or null when the core has none.</summary>
    public ElfPrPsInfo? ProcessInfo { get; private set; }

    /// <summary>The signal that ended the process: the first thread's NT_SIGINFO, or null when the core has none.</summary>
    public ElfSigInfo? SignalInfo => _threads[0].SignalInfo ?? ProcessSignalInfo;

    /// <summary>The signal number that ended the process (from NT_SIGINFO, else pr_cursig).</summary>
    public int Signal => SignalInfo?.SignalNumber ?? _threads[0].Status.CurrentSignal;

    /// <summary>The auxiliary vector (NT_AUXV), without the terminating AT_NULL.</summary>
    public IReadOnlyList<AuxvEntry> Auxv => _auxv.Entries;

    /// <summary>The auxiliary vector (NT_AUXV) as a live process's /proc/PID/auxv decodes.</summary>
    public AuxVector AuxiliaryVector => _auxv;

    /// <summary>The page size NT_FILE counts offsets in (4096 when the core has no NT_FILE).</summary>
    public ulong PageSize { get; private set; } = 4096;

    /// <summary>The file-backed mappings (NT_FILE), in the core's order.</summary>
    public IReadOnlyList<CoreMappedFile> MappedFiles => _mappedFiles;

    /// <summary>The process's memory.</summary>
    public CoreMemory Memory { get; } = null!;

    /// <summary>The mapped files grouped per file, plus the vDSO, with build-ids read from the core's memory.</summary>
    public IReadOnlyList<CoreModule> Modules { get; } = [];

    /// <summary>The program itself (the module holding AT_ENTRY), or null when the core does not say.</summary>
    public CoreModule? MainProgram => Modules.FirstOrDefault(m => m.IsMainProgram);

    /// <summary>One sentence per thing the reader could not use (a truncated file, a backing file missing or rebuilt).</summary>
    public IReadOnlyList<string> Warnings
    {
        get { lock (_warnings) return [.. _warnings]; }
    }

    private ElfSigInfo? ProcessSignalInfo { get; set; }

    /// <summary>The value of auxiliary vector entry <paramref name="type"/> (AT_ENTRY, …), or null.</summary>
    public ulong? GetAuxv(ulong type) => _auxv[type];

    /// <summary>Maps and reads the core at <paramref name="path"/>; a zstd-compressed core (systemd-coredump) is inflated first.</summary>
    /// <param name="path">The core file.</param>
    /// <param name="backingFiles">Where the files behind file-backed mappings are found (default: a <see cref="ModuleFileLocator"/>,
    /// which checks build-ids).</param>
    /// <exception cref="CoreFormatException">The file is not a readable core.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static CoreFile Open(string path, ICoreBackingFiles? backingFiles = null)
    {
        Span<byte> head = stackalloc byte[8];
        int got;
        using (var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            got = probe.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        string? compression = CompressedCore.Detect(head[..got]);
        if (compression is "xz" or "lz4")
            throw new CoreFormatException($"{path} is compressed with {compression}; decompress it with '{compression} -d' and open the result.");
        var mapped = compression == "zstd" ? CompressedCore.Inflate(path) : MappedFile.Open(path);
        try
        {
            return new CoreFile(mapped, (ulong)mapped.Length, path, mapped, backingFiles, compression);
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    /// <summary>Reads a core image held in memory (tests, generated cores).</summary>
    /// <exception cref="CoreFormatException">The bytes are not a readable core.</exception>
    public static CoreFile Read(byte[] image, string name = "core", ICoreBackingFiles? backingFiles = null) =>
        new(new ByteArraySource(image), (ulong)image.Length, name, null, backingFiles, null);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_openedBackingFiles)
        {
            foreach (var f in _openedBackingFiles.Values)
                (f as IDisposable)?.Dispose();
            _openedBackingFiles.Clear();
        }
        _owned?.Dispose();
    }

    private IByteSource? OpenBackingFile(CoreMappedFile file)
    {
        lock (_openedBackingFiles)
        {
            if (!_openedBackingFiles.TryGetValue(file.Path, out var source))
            {
                // A deleted file's path is passed as recorded: only a file with its build-id may stand for it.
                source = _backingFiles.Open(file.Path, _buildIdByPath.GetValueOrDefault(file.Path), Warn);
                _openedBackingFiles[file.Path] = source;
            }
            return source;
        }
    }

    private void Warn(string sentence)
    {
        lock (_warnings) _warnings.Add(sentence);
    }

    private CoreSegment LoadSegment(ElfSegment p, ulong length, ref ulong missing)
    {
        if (p.VirtualAddress + p.MemorySize < p.VirtualAddress)
            throw new CoreFormatException($"{Name} has a PT_LOAD segment at 0x{p.VirtualAddress:x} whose size 0x{p.MemorySize:x} runs past the end of the address space.");
        ulong fileSize = Math.Min(p.FileSize, p.MemorySize);
        ulong available = p.Offset >= length ? 0 : Math.Min(fileSize, length - p.Offset);
        missing += fileSize - available;
        return new CoreSegment(p.VirtualAddress, p.MemorySize, p.Offset, available, p.Flags);
    }

    private void ReadNotes(ElfSegment p, ulong length)
    {
        if (p.FileSize == 0)
            return;
        if (p.Offset >= length || p.FileSize > length - p.Offset)
            throw new CoreFormatException($"{Name} is truncated: its notes (PT_NOTE at file offset 0x{p.Offset:x}, 0x{p.FileSize:x} bytes) run past the end of the {length}-byte file.");
        if (p.FileSize > MaxNoteSegmentSize)
            throw new CoreFormatException($"{Name} has a PT_NOTE segment of 0x{p.FileSize:x} bytes, more than the {MaxNoteSegmentSize >> 20} MiB any process's notes need.");
        ReadOnlyMemory<byte> bytes;
        if (_source is MappedFile mapped)
            bytes = mapped.Slice((long)p.Offset, (int)p.FileSize);
        else
        {
            var copy = new byte[p.FileSize];
            if (_source.Read(p.Offset, copy) != copy.Length)
                throw new CoreFormatException($"{Name} is truncated inside its notes at file offset 0x{p.Offset:x}.");
            bytes = copy;
        }
        var notes = new List<ElfNote>();
        ElfFile.ParseNotes(bytes.Span, $"{Name} PT_NOTE at file offset 0x{p.Offset:x}", notes);
        foreach (var note in notes)
            AddNote(note);
    }

    private void AddNote(ElfNote note)
    {
        var d = note.Descriptor;
        CoreThread? current = _threads.Count > 0 ? _threads[^1] : null;
        if (note.Owner == CoreNoteType.LinuxOwner)
        {
            if (note.Type == CoreNoteType.NT_X86_XSTATE && current != null)
                current.ExtendedState = d;
            return;
        }
        if (note.Owner != CoreNoteType.CoreOwner)
            return;
        switch (note.Type)
        {
            case CoreNoteType.NT_PRSTATUS:
                Require(d, ElfPrStatus.Size, "NT_PRSTATUS", "elf_prstatus");
                _threads.Add(new CoreThread(ElfPrStatus.Read(d)));
                break;
            case CoreNoteType.NT_FPREGSET when current != null:
                Require(d, 512, "NT_FPREGSET", "user_fpregs_struct");
                current.FloatingPoint = d;
                break;
            case CoreNoteType.NT_PRPSINFO:
                Require(d, ElfPrPsInfo.Size, "NT_PRPSINFO", "elf_prpsinfo");
                ProcessInfo = ElfPrPsInfo.Read(d);
                break;
            case CoreNoteType.NT_SIGINFO:
                Require(d, ElfSigInfo.Size, "NT_SIGINFO", "siginfo_t");
                if (current != null) current.SignalInfo = ElfSigInfo.Read(d);
                else ProcessSignalInfo = ElfSigInfo.Read(d);
                break;
            case CoreNoteType.NT_AUXV:
                ReadAuxv(d);
                break;
            case CoreNoteType.NT_FILE:
                ReadMappedFiles(d);
                break;
        }
    }

    private void Require(byte[] descriptor, int size, string note, string structure)
    {
        if (descriptor.Length < size)
            throw new CoreFormatException($"{Name} has a {note} note of {descriptor.Length} bytes, shorter than the {size} bytes of {structure}.");
    }

    private void ReadAuxv(byte[] d) => _auxv = AuxVector.Parse(d);

    private void ReadMappedFiles(byte[] d)
    {
        var r = new ByteReader(d, $"{Name} NT_FILE note");
        ulong count = r.ReadU64(), pageSize = r.ReadU64();
        if (pageSize == 0 || !ulong.IsPow2(pageSize) || pageSize > 1 << 30)
            throw new CoreFormatException($"{Name} has an NT_FILE note whose page size {pageSize} is not a power of two up to 1 GiB.");
        if (count > (ulong)r.Remaining / 24)
            throw new CoreFormatException($"{Name} has an NT_FILE note listing {count} mappings, more than its {d.Length} bytes can hold.");
        var entries = new NtFileEntry[count];
        for (ulong i = 0; i < count; i++)
            entries[i] = new NtFileEntry(r.ReadU64(), r.ReadU64(), r.ReadU64());
        _mappedFiles.Clear();
        PageSize = pageSize;
        foreach (var e in entries)
        {
            string path = r.AtEnd
                ? throw new CoreFormatException($"{Name} has an NT_FILE note with fewer file names than its {count} mappings.")
                : r.ReadCString();
            if (e.End < e.Start || e.PageOffset > ulong.MaxValue / pageSize)
                throw new CoreFormatException($"{Name} has an NT_FILE mapping of {path} with an impossible range 0x{e.Start:x}-0x{e.End:x} at page {e.PageOffset}.");
            _mappedFiles.Add(new CoreMappedFile(e.Start, e.End, e.PageOffset * pageSize, path));
        }
    }

    private static string Describe(ElfFileType type) => type switch
    {
        ElfFileType.Executable => "executable",
        ElfFileType.SharedObject => "shared object or position-independent executable",
        ElfFileType.Relocatable => "object file",
        _ => $"file of type {(ushort)type}",
    };

    // The ELF reader's messages start with the file name; say it once and end with one full stop.
    private static string Sentence(string message, string name)
    {
        if (message.StartsWith(name, StringComparison.Ordinal))
            message = message[name.Length..].TrimStart(':', ' ');
        return message.TrimEnd('.') + ".";
    }
}
