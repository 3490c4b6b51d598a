namespace TrapDebugger.Elf.Core;

/// <summary>The process's memory as a core holds it: PT_LOAD segments, with the bytes the core omitted read from the mapped file when it can be opened.</summary>
/// <remarks>The kernel leaves out the pages of file-backed mappings nobody wrote (code, read-only data): p_filesz is
/// smaller than p_memsz, and NT_FILE says which file and offset was mapped there. A read stops at the first byte that is
/// neither in the core nor in a usable file, so absent memory is never shown as zeros.</remarks>
public sealed class CoreMemory : IByteSource
{
    private readonly IByteSource _core;
    private readonly CoreSegment[] _segments;
    private readonly CoreMappedFile[] _files;
    private readonly Func<CoreMappedFile, IByteSource?> _openBackingFile;

    internal CoreMemory(IByteSource core, IEnumerable<CoreSegment> segments, IEnumerable<CoreMappedFile> files, Func<CoreMappedFile, IByteSource?> openBackingFile)
    {
        _core = core;
        _segments = [.. segments.OrderBy(s => s.Address)];
        _files = [.. files.OrderBy(f => f.Start)];
        _openBackingFile = openBackingFile;
    }

    /// <summary>The PT_LOAD segments, ordered by address.</summary>
    public IReadOnlyList<CoreSegment> Segments => _segments;

    /// <summary>The segment that contains <paramref name="address"/>, or null.</summary>
    public CoreSegment? FindSegment(ulong address)
    {
        int i = IndexOf(address);
        return i >= 0 ? _segments[i] : null;
    }

    /// <inheritdoc />
    /// <remarks>Bytes the core omitted come from the file mapped there (NT_FILE) when that file can be opened.</remarks>
    public int Read(ulong position, Span<byte> buffer) => Read(position, buffer, backfill: true);

    /// <summary>Reads only bytes the core itself holds; returns how many contiguous bytes were read.</summary>
    public int ReadDumped(ulong position, Span<byte> buffer) => Read(position, buffer, backfill: false);

    private int Read(ulong position, Span<byte> buffer, bool backfill)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            ulong address = position + (ulong)done;
            if (address < position) break; // wrapped past the top of the address space
            var rest = buffer[done..];
            int i = IndexOf(address);
            int n;
            if (i >= 0 && address - _segments[i].Address < _segments[i].FileSize)
            {
                var s = _segments[i];
                ulong offset = address - s.Address;
                n = _core.Read(s.FileOffset + offset, rest[..(int)Math.Min((ulong)rest.Length, s.FileSize - offset)]);
            }
            else
            {
                if (!backfill) break;
                // gdb leaves read-only file mappings out altogether (no PT_LOAD), the kernel keeps a PT_LOAD with
                // p_filesz 0: either way the mapped file supplies the bytes, up to the next bytes the core holds.
                ulong limit = i >= 0 ? _segments[i].End - address : NextSegmentStart(address) - address;
                n = ReadBackingFile(address, rest[..(int)Math.Min((ulong)rest.Length, limit)]);
            }
            if (n <= 0) break;
            done += n;
        }
        return done;
    }

    private ulong NextSegmentStart(ulong address)
    {
        int lo = 0, hi = _segments.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_segments[mid].Address <= address) lo = mid + 1;
            else hi = mid;
        }
        return lo < _segments.Length ? _segments[lo].Address : ulong.MaxValue;
    }

    private int ReadBackingFile(ulong address, Span<byte> buffer)
    {
        var file = FindFile(address);
        if (file == null || _openBackingFile(file) is not { } source)
            return 0;
        int want = (int)Math.Min((ulong)buffer.Length, file.End - address);
        return source.Read(file.FileOffset + (address - file.Start), buffer[..want]);
    }

    private CoreMappedFile? FindFile(ulong address)
    {
        int lo = 0, hi = _files.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var f = _files[mid];
            if (address < f.Start) hi = mid - 1;
            else if (address >= f.End) lo = mid + 1;
            else return f;
        }
        return null;
    }

    // Segments do not overlap in a well-formed core; in a damaged one the first by address wins.
    private int IndexOf(ulong address)
    {
        int lo = 0, hi = _segments.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_segments[mid].Address <= address) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        for (int i = found; i >= 0 && i > found - 4; i--)
            if (_segments[i].Contains(address))
                return i;
        return -1;
    }
}
