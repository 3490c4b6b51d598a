using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>The call frame information of one module: its CIEs and FDEs, and the unwind row for any code address.</summary>
/// <remarks>Entries are decoded on demand. With an .eh_frame_hdr search table a lookup is a binary search in that
/// table; otherwise the section is scanned once and an index sorted by start address is built. Every malformed
/// byte becomes an <see cref="InvalidDataException"/> naming the section and offset.</remarks>
public sealed class CallFrameInfo
{
    private readonly object _gate = new();
    private readonly Dictionary<int, CommonInformationEntry> _cies = [];
    private readonly Dictionary<int, FrameDescriptionEntry> _fdes = [];
    private readonly Dictionary<int, UnwindRow[]> _rows = [];
    private readonly EhFrameSearchTable? _searchTable;
    private readonly PointerBases _bases;
    private readonly int _addressSize;
    private FrameDescriptionEntry[]? _sortedFdes;
    private ulong[]? _sortedMaxEnd;
    private CommonInformationEntry[]? _allCies;

    private CallFrameInfo(ReadOnlyMemory<byte> data, ulong sectionAddress, CallFrameSectionKind kind, int addressSize, PointerBases bases,
        ReadOnlyMemory<byte> header, ulong headerAddress)
    {
        Data = data;
        SectionAddress = sectionAddress;
        Kind = kind;
        SectionName = kind == CallFrameSectionKind.EhFrame ? ".eh_frame" : ".debug_frame";
        _addressSize = addressSize;
        _bases = bases;
        if (!header.IsEmpty)
            _searchTable = EhFrameSearchTable.Parse(header, headerAddress, addressSize);
    }

    /// <summary>Reads .eh_frame bytes loaded at <paramref name="sectionAddress"/>, using the .eh_frame_hdr search table when given.</summary>
    public static CallFrameInfo FromEhFrame(ReadOnlyMemory<byte> ehFrame, ulong sectionAddress, ReadOnlyMemory<byte> ehFrameHdr = default,
        ulong ehFrameHdrAddress = 0, PointerBases bases = default, int addressSize = 8)
    {
        CheckAddressSize(addressSize);
        if (!ehFrameHdr.IsEmpty && bases.DataAddress == 0)
            bases = bases with { DataAddress = ehFrameHdrAddress };
        return new CallFrameInfo(ehFrame, sectionAddress, CallFrameSectionKind.EhFrame, addressSize, bases, ehFrameHdr, ehFrameHdrAddress);
    }

    /// <summary>Reads .debug_frame bytes; addresses in it are absolute link-time addresses.</summary>
    public static CallFrameInfo FromDebugFrame(ReadOnlyMemory<byte> debugFrame, int addressSize = 8)
    {
        CheckAddressSize(addressSize);
        return new CallFrameInfo(debugFrame, 0, CallFrameSectionKind.DebugFrame, addressSize, default, default, 0);
    }

    /// <summary>The section bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The virtual address of the section (0 for .debug_frame).</summary>
    public ulong SectionAddress { get; }

    /// <summary>Which kind of section this is.</summary>
    public CallFrameSectionKind Kind { get; }

    /// <summary>".eh_frame" or ".debug_frame", used in error messages.</summary>
    public string SectionName { get; }

    /// <summary>True when lookups use the .eh_frame_hdr binary search table.</summary>
    public bool HasSearchTable => _searchTable != null;

    /// <summary>Every FDE in the section, sorted by start address (the section is scanned once, on first use).</summary>
    public IReadOnlyList<FrameDescriptionEntry> FrameDescriptions => EnsureIndex();

    /// <summary>Every CIE in the section, in section order.</summary>
    public IReadOnlyList<CommonInformationEntry> CommonInformationEntries
    {
        get
        {
            EnsureIndex();
            return _allCies!;
        }
    }

    /// <summary>The FDE whose range contains <paramref name="pc"/>, or null.</summary>
    public FrameDescriptionEntry? FindFde(ulong pc)
    {
        if (_searchTable != null)
        {
            int? offset = _searchTable.Find(pc, SectionAddress, Data.Length);
            if (offset == null) return null;
            var fde = ReadEntry(offset.Value) as FrameDescriptionEntry
                ?? throw new InvalidDataException($".eh_frame_hdr: table entry for 0x{pc:x} points at 0x{offset:x} in .eh_frame, which is not an FDE");
            return fde.Contains(pc) ? fde : null;
        }
        var sorted = EnsureIndex();
        int lo = 0, hi = sorted.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid].InitialLocation <= pc) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        // Overlapping FDEs (discarded functions left at address 0) are handled by walking back while an
        // earlier entry can still reach pc, using the running maximum of end addresses.
        for (int i = found; i >= 0 && _sortedMaxEnd![i] > pc; i--)
            if (sorted[i].Contains(pc)) return sorted[i];
        return null;
    }

    /// <summary>The unwind row that applies at <paramref name="pc"/>, or null when no FDE covers it.</summary>
    public UnwindRow? FindRow(ulong pc)
    {
        var fde = FindFde(pc);
        if (fde == null) return null;
        var rows = GetRows(fde);
        UnwindRow? best = null;
        int lo = 0, hi = rows.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (rows[mid].Address <= pc) { best = rows[mid]; lo = mid + 1; }
            else hi = mid - 1;
        }
        return best;
    }

    /// <summary>All rows of <paramref name="fde"/>'s unwind table, in address order (cached after the first call).</summary>
    public IReadOnlyList<UnwindRow> GetRows(FrameDescriptionEntry fde)
    {
        lock (_gate)
        {
            if (_rows.TryGetValue(fde.Offset, out var cached)) return cached;
        }
        var rows = CallFrameProgram.Run(this, fde);
        lock (_gate)
        {
            _rows[fde.Offset] = rows;
        }
        return rows;
    }

    /// <summary>The CIE or FDE whose length field is at section offset <paramref name="offset"/>; null for a zero terminator.</summary>
    public object? ReadEntry(int offset)
    {
        lock (_gate)
        {
            if (_fdes.TryGetValue(offset, out var f)) return f;
            if (_cies.TryGetValue(offset, out var c)) return c;
        }
        var entry = ParseEntry(offset, out _);
        lock (_gate)
        {
            if (entry is FrameDescriptionEntry fde) _fdes[offset] = fde;
            else if (entry is CommonInformationEntry cie) _cies[offset] = cie;
        }
        return entry;
    }

    private FrameDescriptionEntry[] EnsureIndex()
    {
        lock (_gate)
        {
            if (_sortedFdes != null) return _sortedFdes;
        }
        var fdes = new List<FrameDescriptionEntry>();
        var cies = new List<CommonInformationEntry>();
        int offset = 0;
        while (offset < Data.Length)
        {
            var entry = ParseEntry(offset, out int next);
            if (entry is FrameDescriptionEntry fde) fdes.Add(fde);
            else if (entry is CommonInformationEntry cie) cies.Add(cie);
            else if (Kind == CallFrameSectionKind.EhFrame) break; // zero terminator
            offset = next;
        }
        var sorted = fdes.OrderBy(f => f.InitialLocation).ThenBy(f => f.Offset).ToArray();
        var maxEnd = new ulong[sorted.Length];
        ulong running = 0;
        for (int i = 0; i < sorted.Length; i++)
            maxEnd[i] = running = Math.Max(running, sorted[i].EndAddress);
        lock (_gate)
        {
            foreach (var f in fdes) _fdes.TryAdd(f.Offset, f);
            _allCies = [.. cies];
            _sortedMaxEnd = maxEnd;
            _sortedFdes = sorted;
        }
        return sorted;
    }

    private object? ParseEntry(int offset, out int next)
    {
        var span = Data.Span;
        var r = new ByteReader(span, SectionName, offset);
        uint length32 = r.ReadU32();
        if (length32 == 0)
        {
            next = r.Position;
            return null;
        }
        bool dwarf64 = length32 == 0xffffffff;
        ulong length = dwarf64 ? r.ReadU64() : length32;
        if (!dwarf64 && length32 >= 0xfffffff0)
            throw Error(offset, $"reserved unit length 0x{length32:x}");
        if (length > (ulong)r.Remaining)
            throw Error(offset, $"entry length {length} runs past the end of the section ({r.Remaining} bytes left)");
        int end = r.Position + (int)length;
        next = end;
        var entry = new ByteReader(span[..end], SectionName, r.Position);
        int idOffset = entry.Position;
        ulong id = dwarf64 ? entry.ReadU64() : entry.ReadU32();
        bool isCie = Kind == CallFrameSectionKind.EhFrame ? id == 0 : id == (dwarf64 ? ulong.MaxValue : 0xffffffff);
        if (isCie)
            return ParseCie(ref entry, offset, end);

        long cieOffset = Kind == CallFrameSectionKind.EhFrame ? idOffset - (long)id : (long)id;
        if (cieOffset < 0 || cieOffset >= Data.Length)
            throw Error(idOffset, $"CIE pointer 0x{id:x} points outside the section");
        if (cieOffset == offset)
            throw Error(idOffset, "FDE names itself as its CIE");
        var cie = GetCie((int)cieOffset, idOffset);
        return ParseFde(ref entry, offset, end, cie);
    }

    private CommonInformationEntry GetCie(int offset, int referencedFrom)
    {
        lock (_gate)
        {
            if (_cies.TryGetValue(offset, out var cached)) return cached;
        }
        var r = new ByteReader(Data.Span, SectionName, offset);
        uint length32 = r.ReadU32();
        bool dwarf64 = length32 == 0xffffffff;
        ulong length = dwarf64 ? r.ReadU64() : length32;
        if (length == 0 || length > (ulong)r.Remaining)
            throw Error(referencedFrom, $"CIE at 0x{offset:x} has an invalid length {length}");
        int end = r.Position + (int)length;
        var entry = new ByteReader(Data.Span[..end], SectionName, r.Position);
        ulong id = dwarf64 ? entry.ReadU64() : entry.ReadU32();
        bool isCie = Kind == CallFrameSectionKind.EhFrame ? id == 0 : id == (dwarf64 ? ulong.MaxValue : 0xffffffff);
        if (!isCie)
            throw Error(referencedFrom, $"the CIE pointer refers to 0x{offset:x}, which is not a CIE");
        var cie = ParseCie(ref entry, offset, end);
        lock (_gate)
        {
            _cies[offset] = cie;
        }
        return cie;
    }

    private CommonInformationEntry ParseCie(ref ByteReader r, int offset, int end)
    {
        int versionAt = r.Position;
        byte version = r.ReadU8();
        bool versionOk = Kind == CallFrameSectionKind.EhFrame ? version is 1 or 3 : version is 1 or 3 or 4;
        if (!versionOk)
            throw Error(versionAt, $"unsupported CIE version {version}");
        string augmentation = r.ReadCString();
        int addressSize = _addressSize;
        if (version >= 4)
        {
            int asAt = r.Position;
            addressSize = r.ReadU8();
            byte segmentSize = r.ReadU8();
            if (addressSize is not (4 or 8)) throw Error(asAt, $"unsupported address size {addressSize}");
            if (segmentSize != 0) throw Error(asAt, $"unsupported segment selector size {segmentSize}");
        }
        if (augmentation.StartsWith("eh", StringComparison.Ordinal))
            r.Skip(addressSize); // the pre-'z' GCC "eh" augmentation carries an exception table pointer
        ulong caf = r.ReadUleb128();
        long daf = r.ReadSleb128();
        ulong ra = version == 1 ? r.ReadU8() : r.ReadUleb128();

        var fdeEncoding = PointerEncoding.AbsolutePointer;
        var lsdaEncoding = PointerEncoding.Omit;
        var personalityEncoding = PointerEncoding.Omit;
        EncodedPointer? personality = null;
        bool signal = false;
        bool hasZ = augmentation.StartsWith('z');
        int instructions;
        if (hasZ)
        {
            int lenAt = r.Position;
            ulong augLength = r.ReadUleb128();
            if (augLength > (ulong)r.Remaining)
                throw Error(lenAt, $"augmentation data of {augLength} bytes runs past the end of the CIE");
            instructions = r.Position + (int)augLength;
            var aug = new ByteReader(r.Data[..instructions], SectionName, r.Position);
            foreach (char c in augmentation.AsSpan(1))
            {
                switch (c)
                {
                    case 'R': fdeEncoding = ReadEncodingByte(ref aug); break;
                    case 'L': lsdaEncoding = ReadEncodingByte(ref aug); break;
                    case 'P':
                        personalityEncoding = ReadEncodingByte(ref aug);
                        personality = ReadEncodedPointer(ref aug, personalityEncoding, addressSize, 0);
                        break;
                    case 'S': signal = true; break;
                    case 'B' or 'G': break; // AArch64 BTI / MTE markers carry no data
                    default:
                        goto doneAugmentation; // unknown letters: the length lets us skip the rest safely
                }
            }
        doneAugmentation:;
        }
        else if (augmentation.Length > 0 && !augmentation.StartsWith("eh", StringComparison.Ordinal))
        {
            // Without 'z' an unknown augmentation makes the rest of the CIE unparseable (DWARF 5 §6.4.1).
            instructions = end;
        }
        else
        {
            instructions = r.Position;
        }

        return new CommonInformationEntry(offset, end - offset, version, augmentation, addressSize, caf, daf, ra, fdeEncoding,
            lsdaEncoding, personalityEncoding, personality, signal, hasZ, instructions, end - instructions);
    }

    private FrameDescriptionEntry ParseFde(ref ByteReader r, int offset, int end, CommonInformationEntry cie)
    {
        ulong begin, range;
        if (Kind == CallFrameSectionKind.EhFrame)
        {
            begin = ReadEncodedPointer(ref r, cie.FdeEncoding, cie.AddressSize, 0).Value;
            // The range uses only the value format: it is a length, not an address.
            range = ReadEncodedPointer(ref r, new PointerEncoding((byte)(cie.FdeEncoding.Value & 0x0f)), cie.AddressSize, 0).Value;
        }
        else
        {
            begin = r.ReadUnsigned(cie.AddressSize);
            range = r.ReadUnsigned(cie.AddressSize);
        }
        EncodedPointer? lsda = null;
        int instructions = r.Position;
        if (cie.HasAugmentationData)
        {
            int lenAt = r.Position;
            ulong augLength = r.ReadUleb128();
            if (augLength > (ulong)r.Remaining)
                throw Error(lenAt, $"augmentation data of {augLength} bytes runs past the end of the FDE");
            instructions = r.Position + (int)augLength;
            if (!cie.LsdaEncoding.IsOmit && augLength > 0)
            {
                var aug = new ByteReader(r.Data[..instructions], SectionName, r.Position);
                lsda = ReadEncodedPointer(ref aug, cie.LsdaEncoding, cie.AddressSize, begin);
            }
        }
        return new FrameDescriptionEntry(offset, end - offset, cie, begin, range, lsda, instructions, end - instructions);
    }

    private PointerEncoding ReadEncodingByte(ref ByteReader r)
    {
        int at = r.Position;
        var e = new PointerEncoding(r.ReadU8());
        if (e.IsOmit) return e;
        if (!Enum.IsDefined(e.Format) || (byte)e.Application > 0x50)
            throw Error(at, $"unknown pointer encoding {e}");
        return e;
    }

    /// <summary>Reads one DW_EH_PE_* encoded value at the reader's position.</summary>
    internal EncodedPointer ReadEncodedPointer(ref ByteReader r, PointerEncoding encoding, int addressSize, ulong functionStart)
    {
        if (encoding.IsOmit) return new EncodedPointer(0, false);
        int fieldOffset = r.Position;
        ulong fieldAddress = SectionAddress + (ulong)fieldOffset;
        if (encoding.Application == PointerApplication.Aligned)
        {
            int aligned = (fieldOffset + addressSize - 1) / addressSize * addressSize;
            r.Position = aligned;
        }
        ulong value = encoding.Format switch
        {
            PointerFormat.AbsolutePointer => r.ReadUnsigned(addressSize),
            PointerFormat.Uleb128 => r.ReadUleb128(),
            PointerFormat.Udata2 => r.ReadU16(),
            PointerFormat.Udata4 => r.ReadU32(),
            PointerFormat.Udata8 => r.ReadU64(),
            PointerFormat.Sleb128 => (ulong)r.ReadSleb128(),
            PointerFormat.Sdata2 => (ulong)(long)(short)r.ReadU16(),
            PointerFormat.Sdata4 => (ulong)(long)r.ReadI32(),
            PointerFormat.Sdata8 => (ulong)r.ReadI64(),
            _ => throw Error(fieldOffset, $"unknown pointer encoding {encoding}"),
        };
        ulong bias = encoding.Application switch
        {
            PointerApplication.Absolute or PointerApplication.Aligned => 0,
            PointerApplication.PcRelative => fieldAddress,
            PointerApplication.TextRelative => _bases.TextAddress,
            PointerApplication.DataRelative => _bases.DataAddress,
            PointerApplication.FunctionRelative => functionStart,
            _ => throw Error(fieldOffset, $"unknown pointer encoding {encoding}"),
        };
        value = unchecked(value + bias);
        if (addressSize == 4) value &= 0xffffffff;
        return new EncodedPointer(value, encoding.IsIndirect);
    }

    private InvalidDataException Error(int offset, string what) => new($"{SectionName} at offset 0x{offset:x}: {what}");

    private static void CheckAddressSize(int addressSize)
    {
        if (addressSize is not (4 or 8))
            throw new ArgumentOutOfRangeException(nameof(addressSize), addressSize, "address size must be 4 or 8");
    }
}
