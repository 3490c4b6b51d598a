using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace TrapDebugger.Elf;

/// <summary>A read-only memory-mapped file: an <see cref="IByteSource"/> whose ranges are also available as memory without copying.</summary>
/// <remarks>Mapping lets a 100+ MB debug file open in the time it takes to read its headers; pages are faulted in
/// only when a section is actually parsed.</remarks>
public sealed unsafe class MappedFile : IByteSource, IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private bool _disposed;

    private MappedFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer, long length)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = pointer;
        Length = length;
    }

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>The file size in bytes.</summary>
    public long Length { get; }

    /// <summary>Maps <paramref name="path"/> read-only; an empty file maps to an empty source.</summary>
    public static MappedFile Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = stream.Length;
        if (length == 0)
            return new MappedFile(path, null, null, null, 0);
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        pointer += view.PointerOffset;
        return new MappedFile(path, map, view, pointer, length);
    }

    /// <inheritdoc />
    public int Read(ulong position, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (position >= (ulong)Length)
            return 0;
        int count = (int)Math.Min((ulong)buffer.Length, (ulong)Length - position);
        new ReadOnlySpan<byte>(_base + position, count).CopyTo(buffer);
        return count;
    }

    /// <summary>Returns <paramref name="length"/> bytes at <paramref name="offset"/> as memory backed by the mapping (no copy).</summary>
    public ReadOnlyMemory<byte> Slice(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset < 0 || length < 0 || offset + length > Length)
            throw new InvalidDataException($"{Path}: range 0x{offset:x}+0x{length:x} is outside the {Length}-byte file");
        if (length == 0)
            return ReadOnlyMemory<byte>.Empty;
        return new MappedMemory(_base + offset, length).Memory;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    // Memory over a mapped range; it stays valid for as long as the MappedFile is open.
    private sealed class MappedMemory(byte* pointer, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
