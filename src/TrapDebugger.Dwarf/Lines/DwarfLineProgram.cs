using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>A line number program (DWARF 2–5) from .debug_line: its header (directories, files) and the rows it produces.</summary>
public sealed class DwarfLineProgram
{
    private const int MaxEntries = 1 << 22;
    private DwarfLineSequence[] _sortedSequences = [];

    private DwarfLineProgram() { }

    /// <summary>The offset of the program in .debug_line.</summary>
    public long Offset { get; private init; }

    /// <summary>The DWARF version of the line program header.</summary>
    public ushort Version { get; private init; }

    /// <summary>minimum_instruction_length.</summary>
    public byte MinimumInstructionLength { get; private init; }

    /// <summary>maximum_operations_per_instruction (1 on x86).</summary>
    public byte MaximumOperationsPerInstruction { get; private init; }

    /// <summary>default_is_stmt.</summary>
    public bool DefaultIsStatement { get; private init; }

    /// <summary>line_base.</summary>
    public sbyte LineBase { get; private init; }

    /// <summary>line_range.</summary>
    public byte LineRange { get; private init; }

    /// <summary>opcode_base.</summary>
    public byte OpcodeBase { get; private init; }

    /// <summary>The include directories (DWARF 5: entry 0 is the compilation directory).</summary>
    public IReadOnlyList<string> Directories { get; private init; } = [];

    /// <summary>The file entries (DWARF 5: indexed from 0; earlier versions: from 1).</summary>
    public IReadOnlyList<DwarfLineFile> Files { get; private set; } = [];

    /// <summary>The compilation directory of the unit that owns the program (for absolute paths).</summary>
    public string? CompilationDirectory { get; private init; }

    /// <summary>Every row in program order, end_sequence rows included.</summary>
    public IReadOnlyList<DwarfLineRow> Rows { get; private set; } = [];

    /// <summary>The sequences in program order.</summary>
    public IReadOnlyList<DwarfLineSequence> Sequences { get; private set; } = [];

    /// <summary>The file entry for index <paramref name="file"/> as rows and DW_AT_decl_file/call_file use it, or null.</summary>
    public DwarfLineFile? FileAt(ulong file)
    {
        if (Version >= 5) return file < (ulong)Files.Count ? Files[(int)file] : null;
        return file >= 1 && file <= (ulong)Files.Count ? Files[(int)file - 1] : null;
    }

    /// <summary>The path of file <paramref name="file"/>, joined with its directory and the compilation directory as llvm-symbolizer does; null for a bad index or an empty name.</summary>
    public string? FilePath(ulong file)
    {
        // A file entry without a name (its string zeroed or cut) names no file: null, as for a bad index, never "".
        if (FileAt(file) is not { Name.Length: > 0 } entry) return null;
        if (entry.Name.StartsWith('/')) return entry.Name;
        string? dir = null;
        if (Version >= 5) { if (entry.DirectoryIndex < (ulong)Directories.Count) dir = Directories[(int)entry.DirectoryIndex]; }
        else if (entry.DirectoryIndex > 0 && entry.DirectoryIndex <= (ulong)Directories.Count) dir = Directories[(int)entry.DirectoryIndex - 1];
        string path = "";
        // DWARF 5 directory 0 already is the compilation directory.
        if ((Version < 5 || entry.DirectoryIndex != 0) && !string.IsNullOrEmpty(CompilationDirectory) && !(dir ?? "").StartsWith('/'))
            path = CompilationDirectory;
        path = Append(Append(path, dir), entry.Name);
        return path;
    }

    private static string Append(string path, string? component)
    {
        if (string.IsNullOrEmpty(component)) return path;
        if (path.Length == 0) return component;
        return path.EndsWith('/') ? path + component : path + "/" + component;
    }

    /// <summary>The index of the row that describes <paramref name="address"/> (the last row at or before it in the sequence that contains it), or -1.</summary>
    public int FindRow(ulong address)
    {
        var seqs = _sortedSequences;
        int lo = 0, hi = seqs.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (seqs[mid].LowPc <= address) lo = mid + 1; else hi = mid;
        }
        if (lo == 0) return -1;
        var seq = seqs[lo - 1];
        if (address >= seq.HighPc) return -1;
        var rows = Rows;
        int first = seq.FirstRow + 1, last = seq.EndRow; // search [first, end_sequence row)
        int l = first, h = last;
        while (l < h)
        {
            int mid = (l + h) >>> 1;
            if (rows[mid].Address <= address) l = mid + 1; else h = mid;
        }
        return l - 1;
    }

    /// <summary>The row describing <paramref name="address"/>, or null.</summary>
    public DwarfLineRow? RowFor(ulong address) => FindRow(address) is int i and >= 0 ? Rows[i] : null;

    /// <summary>The offset in .debug_line just past the program.</summary>
    public long EndOffset { get; private init; }

    /// <summary>Parses the program at <paramref name="offset"/> of .debug_line for <paramref name="unit"/> (which supplies the compilation directory and string bases).</summary>
    public static DwarfLineProgram Parse(DwarfFile file, long offset, DwarfUnit? unit)
    {
        var program = ParseHeader(file, offset, unit, out int programStart, out byte[] standardLengths, out byte addressSize);
        var r = new ByteReader(file.Sections.Line.Span[..(int)program.EndOffset], ".debug_line", programStart);
        program.Run(ref r, standardLengths, addressSize, [.. program.Files]);
        return program;
    }

    /// <summary>The header of every program in .debug_line, in section order, read without their units and without
    /// running them (no rows; DWARF 2–4 paths lack the compilation directory).</summary>
    /// <remarks>Reads only .debug_line and its string sections, so a module's file names are known without reading its
    /// units. Files added while the rows run (DW_LNE_define_file, DWARF 2–4, which no current compiler emits) are not seen.</remarks>
    internal static IEnumerable<DwarfLineProgram> ReadHeaders(DwarfFile file)
    {
        long length = file.Sections.Line.Length;
        for (long offset = 0; offset < length;)
        {
            var header = ParseHeader(file, offset, null, out _, out _, out _);
            offset = header.EndOffset;
            yield return header;
        }
    }

    private static DwarfLineProgram ParseHeader(DwarfFile file, long offset, DwarfUnit? unit, out int programStart, out byte[] standardLengths, out byte addressSize)
    {
        var data = file.Sections.Line.Span;
        if (offset < 0 || offset >= data.Length)
            throw DwarfError.At(".debug_line", offset, "line program offset is outside the section");
        var r = new ByteReader(data, ".debug_line", (int)offset);
        ulong length = r.ReadU32();
        int offsetSize = 4;
        if (length == 0xffffffff) { length = r.ReadU64(); offsetSize = 8; }
        if (length > (ulong)r.Remaining)
            throw DwarfError.At(".debug_line", offset, $"unit length 0x{length:x} runs past the end of the section");
        int end = r.Position + (int)length;
        r = new ByteReader(data[..end], ".debug_line", r.Position);
        ushort version = r.ReadU16();
        if (version is < 2 or > 5)
            throw DwarfError.At(".debug_line", offset, $"unsupported line table version {version}");
        addressSize = unit?.AddressSize ?? 8;
        if (version >= 5)
        {
            addressSize = r.ReadU8();
            r.ReadU8(); // segment_selector_size
        }
        ulong headerLength = r.ReadUnsigned(offsetSize);
        if (headerLength > (ulong)r.Remaining)
            throw DwarfError.At(".debug_line", r.Position, $"header length 0x{headerLength:x} runs past the end of the program");
        programStart = r.Position + (int)headerLength;
        byte minInst = r.ReadU8();
        byte maxOps = version >= 4 ? r.ReadU8() : (byte)1;
        bool defaultIsStmt = r.ReadU8() != 0;
        sbyte lineBase = r.ReadI8();
        byte lineRange = r.ReadU8();
        byte opcodeBase = r.ReadU8();
        if (lineRange == 0)
            throw DwarfError.At(".debug_line", r.Position - 2, "line_range is 0");
        standardLengths = new byte[Math.Max(0, opcodeBase - 1)];
        for (int i = 0; i < standardLengths.Length; i++) standardLengths[i] = r.ReadU8();
        var dirs = new List<string>();
        var files = new List<DwarfLineFile>();
        if (version >= 5)
        {
            ReadEntryTable(ref r, file, unit, offsetSize, dirs: dirs, files: null);
            ReadEntryTable(ref r, file, unit, offsetSize, dirs: null, files: files);
        }
        else
        {
            while (true)
            {
                string d = r.ReadCString();
                if (d.Length == 0) break;
                dirs.Add(d);
            }
            while (true)
            {
                string name = r.ReadCString();
                if (name.Length == 0) break;
                files.Add(new DwarfLineFile(name, r.ReadUleb128(), r.ReadUleb128(), r.ReadUleb128(), null));
            }
        }
        return new DwarfLineProgram
        {
            Offset = offset, EndOffset = end, Version = version, MinimumInstructionLength = minInst, MaximumOperationsPerInstruction = maxOps,
            DefaultIsStatement = defaultIsStmt, LineBase = lineBase, LineRange = lineRange, OpcodeBase = opcodeBase,
            Directories = dirs, Files = files, CompilationDirectory = unit?.CompilationDirectory,
        };
    }

    private static void ReadEntryTable(ref ByteReader r, DwarfFile file, DwarfUnit? unit, int offsetSize, List<string>? dirs, List<DwarfLineFile>? files)
    {
        int formatCount = r.ReadU8();
        var format = new (ulong Content, DwarfForm Form)[formatCount];
        for (int i = 0; i < formatCount; i++)
        {
            ulong content = r.ReadUleb128(), form = r.ReadUleb128();
            format[i] = (content, (DwarfForm)(ushort)Math.Min(form, ushort.MaxValue));
        }
        ulong count = r.ReadUleb128();
        if (count > (ulong)r.Remaining)
            throw DwarfError.At(".debug_line", r.Position, $"entry count {count} exceeds the bytes left in the header");
        var ctx = new DieTreeParser.FormContext(unit?.AddressSize ?? 8, (byte)offsetSize, 5);
        for (ulong n = 0; n < count; n++)
        {
            string name = "";
            ulong dir = 0, time = 0, size = 0;
            byte[]? md5 = null;
            foreach (var (content, form) in format)
            {
                int at = r.Position;
                switch (content)
                {
                    case 1: name = ReadString(ref r, file, unit, form, offsetSize); break;          // DW_LNCT_path
                    case 2: dir = ReadUnsigned(ref r, form, at); break;                           // DW_LNCT_directory_index
                    case 3: time = form == DwarfForm.Block ? SkipBlock(ref r) : ReadUnsigned(ref r, form, at); break; // DW_LNCT_timestamp
                    case 4: size = ReadUnsigned(ref r, form, at); break;                          // DW_LNCT_size
                    case 5:                                                                       // DW_LNCT_MD5
                        if (form != DwarfForm.Data16) throw DwarfError.At(".debug_line", at, $"MD5 has form 0x{(ushort)form:x}, not data16");
                        md5 = r.ReadBytes(16).ToArray();
                        break;
                    default: DieTreeParser.SkipValue(ref r, form, ctx); break;                   // vendor content (e.g. LLVM source): kept out, skipped by size
                }
            }
            if (dirs != null) dirs.Add(name);
            else files!.Add(new DwarfLineFile(name, dir, time, size, md5));
        }
    }

    private static ulong SkipBlock(ref ByteReader r) { r.Skip((long)Math.Min(r.ReadUleb128(), long.MaxValue)); return 0; }

    private static string ReadString(ref ByteReader r, DwarfFile file, DwarfUnit? unit, DwarfForm form, int offsetSize) => form switch
    {
        DwarfForm.String => r.ReadCString(),
        DwarfForm.LineStrp => file.ReadLineStr(r.ReadUnsigned(offsetSize)),
        DwarfForm.Strp => file.ReadStr(r.ReadUnsigned(offsetSize)),
        DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 when unit != null =>
            unit.ReadIndexedString(form switch
            {
                DwarfForm.Strx => r.ReadUleb128(),
                DwarfForm.Strx1 => r.ReadU8(),
                DwarfForm.Strx2 => r.ReadU16(),
                DwarfForm.Strx3 => r.ReadU24(),
                _ => r.ReadU32(),
            }),
        _ => throw DwarfError.At(".debug_line", r.Position, $"path has unsupported form 0x{(ushort)form:x}"),
    };

    private static ulong ReadUnsigned(ref ByteReader r, DwarfForm form, int at) => form switch
    {
        DwarfForm.Data1 => r.ReadU8(),
        DwarfForm.Data2 => r.ReadU16(),
        DwarfForm.Data4 => r.ReadU32(),
        DwarfForm.Data8 => r.ReadU64(),
        DwarfForm.Udata => r.ReadUleb128(),
        _ => throw DwarfError.At(".debug_line", at, $"numeric entry has unsupported form 0x{(ushort)form:x}"),
    };

    private void Run(ref ByteReader r, byte[] standardLengths, byte addressSize, List<DwarfLineFile> files)
    {
        // A row takes three to five bytes of opcodes (a column, an address advance, a special opcode): sized from that,
        // a large table is copied once at most as it grows.
        var rows = new List<DwarfLineRow>(Math.Min(MaxEntries, r.Remaining / 5 + 16));
        var sequences = new List<DwarfLineSequence>();
        ulong tombstone = addressSize == 4 ? uint.MaxValue : ulong.MaxValue;
        int seqStart = 0;
        ulong address = 0; uint opIndex = 0, file = 1, line = 1, column = 0, isa = 0, discriminator = 0;
        bool isStmt = DefaultIsStatement, basicBlock = false, endSeq = false, prologueEnd = false, epilogueBegin = false;
        int maxOps = Math.Max((int)MaximumOperationsPerInstruction, 1);

        void Reset()
        {
            address = 0; opIndex = 0; file = 1; line = 1; column = 0; isa = 0; discriminator = 0;
            isStmt = DefaultIsStatement; basicBlock = false; endSeq = false; prologueEnd = false; epilogueBegin = false;
        }
        void Emit()
        {
            if (rows.Count >= MaxEntries)
                throw DwarfError.At(".debug_line", Offset, $"line program has more than {MaxEntries} rows");
            rows.Add(new DwarfLineRow(address, opIndex, file, line, column, isa, discriminator, isStmt, basicBlock, endSeq, prologueEnd, epilogueBegin));
            discriminator = 0; basicBlock = false; prologueEnd = false; epilogueBegin = false;
        }
        void Advance(ulong operationAdvance)
        {
            if (maxOps == 1) address += MinimumInstructionLength * operationAdvance;
            else
            {
                ulong total = opIndex + operationAdvance;
                address += MinimumInstructionLength * (total / (ulong)maxOps);
                opIndex = (uint)(total % (ulong)maxOps);
            }
        }

        while (!r.AtEnd)
        {
            int at = r.Position;
            byte op = r.ReadU8();
            if (op >= OpcodeBase)
            {
                int adjusted = op - OpcodeBase;
                Advance((ulong)(adjusted / LineRange));
                line = (uint)(line + LineBase + adjusted % LineRange);
                Emit();
                continue;
            }
            switch (op)
            {
                case 0: // extended opcode
                {
                    ulong len = r.ReadUleb128();
                    if (len == 0 || len > (ulong)r.Remaining)
                        throw DwarfError.At(".debug_line", at, $"extended opcode length {len} is invalid");
                    int next = r.Position + (int)len;
                    byte sub = r.ReadU8();
                    switch (sub)
                    {
                        case 1: // DW_LNE_end_sequence
                            endSeq = true;
                            Emit();
                            var first = rows[seqStart];
                            // Sequences the linker discarded (tombstone or zero start) are kept as rows but not looked up.
                            if (first.Address < address && first.Address != tombstone)
                                sequences.Add(new DwarfLineSequence(first.Address, address, seqStart, rows.Count - 1));
                            seqStart = rows.Count;
                            Reset();
                            break;
                        case 2: address = r.ReadUnsigned(Math.Min((int)len - 1, 8) is var n && n is 1 or 2 or 4 or 8 ? n : addressSize); opIndex = 0; break; // DW_LNE_set_address
                        case 3: // DW_LNE_define_file
                            files.Add(new DwarfLineFile(r.ReadCString(), r.ReadUleb128(), r.ReadUleb128(), r.ReadUleb128(), null));
                            break;
                        case 4: discriminator = (uint)r.ReadUleb128(); break; // DW_LNE_set_discriminator
                    }
                    r.Position = next;
                    break;
                }
                case 1: Emit(); break;                                             // DW_LNS_copy
                case 2: Advance(r.ReadUleb128()); break;                           // DW_LNS_advance_pc
                case 3: line = (uint)((long)line + r.ReadSleb128()); break;        // DW_LNS_advance_line
                case 4: file = (uint)r.ReadUleb128(); break;                       // DW_LNS_set_file
                case 5: column = (uint)r.ReadUleb128(); break;                     // DW_LNS_set_column
                case 6: isStmt = !isStmt; break;                                   // DW_LNS_negate_stmt
                case 7: basicBlock = true; break;                                  // DW_LNS_set_basic_block
                case 8: Advance((ulong)((255 - OpcodeBase) / LineRange)); break;   // DW_LNS_const_add_pc
                case 9: address += r.ReadU16(); opIndex = 0; break;                // DW_LNS_fixed_advance_pc
                case 10: prologueEnd = true; break;                                // DW_LNS_set_prologue_end
                case 11: epilogueBegin = true; break;                              // DW_LNS_set_epilogue_begin
                case 12: isa = (uint)r.ReadUleb128(); break;                       // DW_LNS_set_isa
                default:
                    // An opcode this reader does not know: skip its ULEB128 operands as the header declares.
                    for (int i = 0; i < standardLengths[op - 1]; i++) r.ReadUleb128();
                    break;
            }
        }
        Rows = rows;
        Sequences = sequences;
        Files = files;
        var sorted = sequences.ToArray();
        // Stable by start address, so among sequences that start together the last one wins, as in llvm-symbolizer.
        _sortedSequences = [.. sorted.Select((s, i) => (s, i)).OrderBy(t => t.s.LowPc).ThenBy(t => t.i).Select(t => t.s)];
    }
}
