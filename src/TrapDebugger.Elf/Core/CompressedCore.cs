namespace TrapDebugger.Elf.Core;

/// <summary>Recognizes cores compressed by systemd-coredump and inflates zstd ones into an unlinked temporary file, so the reader can map them.</summary>
/// <remarks>systemd-coredump stores cores as <c>core.PROG.UID.BOOT.PID.TIME.zst</c> (or .xz/.lz4 when built so). A core
/// can be many gigabytes; decompressing to a file keeps memory use flat, and the output is bounded by the free space
/// of the temporary folder before it can fill the disk.</remarks>
internal static class CompressedCore
{
    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];
    private static ReadOnlySpan<byte> XzMagic => [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
    private static ReadOnlySpan<byte> Lz4Magic => [0x04, 0x22, 0x4d, 0x18];

    // Room left on the temporary folder's file system after a decompressed core.
    private const long FreeSpaceReserve = 64L << 20;

    /// <summary>The compression of a file starting with <paramref name="head"/>: "zstd", "xz", "lz4", or null when it is not compressed.</summary>
    public static string? Detect(ReadOnlySpan<byte> head) =>
        head.StartsWith(ZstdMagic) ? "zstd" : head.StartsWith(XzMagic) ? "xz" : head.StartsWith(Lz4Magic) ? "lz4" : null;

    /// <summary>Inflates the zstd core at <paramref name="path"/> and maps the result; the temporary file is unlinked at once.</summary>
    public static MappedFile Inflate(string path)
    {
        var folder = Path.GetTempPath();
        var temp = Path.Combine(folder, $"trapdbg-core-{Environment.ProcessId}-{Guid.NewGuid():N}");
        long limit;
        try
        {
            limit = new DriveInfo(folder).AvailableFreeSpace - FreeSpaceReserve;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            limit = long.MaxValue;
        }
        try
        {
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var inflater = new ZstdSharp.DecompressionStream(input))
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var chunk = new byte[1 << 20];
                int n;
                while ((n = inflater.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (output.Length + n > limit)
                        throw new CoreFormatException($"{path} decompresses to more than the {Math.Max(limit, 0) >> 20} MiB free in {folder}; decompress it elsewhere with 'zstd -d' and open the result.");
                    output.Write(chunk, 0, n);
                }
            }
            return MappedFile.Open(temp);
        }
        catch (Exception e) when (e is ZstdSharp.ZstdException or InvalidDataException)
        {
            throw new CoreFormatException($"{path} is a zstd-compressed core whose data is corrupt ({e.Message.TrimEnd('.')}).", e);
        }
        finally
        {
            // The mapping keeps the bytes alive; the name is not needed once it exists.
            try { File.Delete(temp); } catch (IOException) { }
        }
    }
}
