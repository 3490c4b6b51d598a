using LibObjectFile.Elf;
using TrapDebugger.Elf;

namespace TrapDebugger.Cores;

/// <summary>The bytes of one included memory region as ELF file content, streamed from the process's memory when the core is written.</summary>
/// <remarks>Memory is copied in chunks straight into the output, so writing a core of a large process never holds its
/// memory twice. A page that cannot be read is written as zeros, as the kernel writes pages it cannot dump; into a
/// seekable stream, a page of zeros is skipped, leaving a hole.</remarks>
internal sealed class MemoryRegionContent : ElfContentData
{
    private const int ChunkSize = 1 << 16;
    private readonly IByteSource _memory;
    private readonly ulong _start, _size;

    public MemoryRegionContent(IByteSource memory, ulong start, ulong size)
    {
        _memory = memory;
        _start = start;
        _size = size;
        Size = size;
        FileAlignment = (uint)CoreMemorySelection.PageSize;
    }

    /// <summary>Bytes that could not be read and were written as zeros.</summary>
    public ulong UnreadableBytes { get; private set; }

    protected override void UpdateLayoutCore(ElfVisitorContext context) => Size = _size;

    public override void Write(ElfWriter writer)
    {
        var chunk = new byte[(int)Math.Min(ChunkSize, _size)];
        for (ulong done = 0; done < _size;)
        {
            int want = (int)Math.Min((ulong)chunk.Length, _size - done);
            var span = chunk.AsSpan(0, want);
            int got = _memory.Read(_start + done, span);
            if (got < 0) got = 0;
            if (got < want)
            {
                // Skip to the next page boundary after the unreadable byte and try again there.
                int pageEnd = (int)Math.Min((ulong)want, ((_start + done + (ulong)got) | (CoreMemorySelection.PageSize - 1)) + 1 - (_start + done));
                span[got..pageEnd].Clear();
                UnreadableBytes += (ulong)(pageEnd - got);
                writer.Write(span[..pageEnd]);
                done += (ulong)pageEnd;
                continue;
            }
            WriteSparse(writer, span);
            done += (ulong)want;
        }
    }

    // Pages of zeros (untouched stack and heap, most of a thread's 8 MiB stack) become holes of a sparse file, as the
    // kernel leaves them: a core of 32 threads then takes kilobytes on disk, not the 256 MiB its stacks span.
    private static void WriteSparse(ElfWriter writer, ReadOnlySpan<byte> bytes)
    {
        var stream = writer.Stream;
        if (!stream.CanSeek)
        {
            writer.Write(bytes);
            return;
        }
        int page = (int)CoreMemorySelection.PageSize;
        for (int at = 0; at < bytes.Length; at += page)
        {
            var piece = bytes.Slice(at, Math.Min(page, bytes.Length - at));
            if (piece.IndexOfAnyExcept((byte)0) < 0)
                stream.Seek(piece.Length, SeekOrigin.Current);
            else
                writer.Write(piece);
        }
    }
}
