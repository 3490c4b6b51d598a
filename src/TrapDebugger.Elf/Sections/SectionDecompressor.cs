using System.Buffers.Binary;
using System.IO.Compression;

namespace TrapDebugger.Elf;

/// <summary>Inflates SHF_COMPRESSED sections (zlib or zstd behind an Elf64_Chdr) and legacy ".zdebug_" sections.</summary>
/// <remarks>The output buffer grows only as bytes actually come out of the decompressor, so a corrupt size field
/// cannot make the reader allocate more than the compressed data can expand to.</remarks>
public static class SectionDecompressor
{
    private const uint ELFCOMPRESS_ZLIB = 1, ELFCOMPRESS_ZSTD = 2;

    /// <summary>Decompresses the contents of a SHF_COMPRESSED section; <paramref name="origin"/> names it in errors.</summary>
    public static byte[] DecompressElfSection(ReadOnlySpan<byte> raw, string origin)
    {
        var r = new ByteReader(raw, origin);
        if (r.Remaining < 24)
            throw new InvalidDataException($"{origin} at offset 0x0: compressed section is shorter than its Elf64_Chdr");
        uint type = r.ReadU32();   // ch_type
        r.ReadU32();               // ch_reserved
        ulong size = r.ReadU64();  // ch_size
        r.ReadU64();               // ch_addralign
        var payload = raw[24..];
        return type switch
        {
            ELFCOMPRESS_ZLIB => Inflate(payload, size, origin, zstd: false),
            ELFCOMPRESS_ZSTD => Inflate(payload, size, origin, zstd: true),
            _ => throw new InvalidDataException($"{origin} at offset 0x0: unknown compression type {type} (ch_type)"),
        };
    }

    /// <summary>Decompresses a legacy ".zdebug_" section ("ZLIB", 8-byte big-endian size, zlib stream).</summary>
    public static byte[] DecompressLegacy(ReadOnlySpan<byte> raw, string origin)
    {
        if (raw.Length < 12 || !raw[..4].SequenceEqual("ZLIB"u8))
            throw new InvalidDataException($"{origin} at offset 0x0: legacy compressed section does not start with \"ZLIB\"");
        ulong size = BinaryPrimitives.ReadUInt64BigEndian(raw[4..12]);
        return Inflate(raw[12..], size, origin, zstd: false);
    }

    private static unsafe byte[] Inflate(ReadOnlySpan<byte> payload, ulong size, string origin, bool zstd)
    {
        if (size > (ulong)ElfFile.MaxSectionSize)
            throw new InvalidDataException($"{origin} at offset 0x8: uncompressed size 0x{size:x} (ch_size) exceeds the maximum");
        if (payload.IsEmpty)
        {
            // A section cut off right after its header (there is no stream to inflate, and no memory to point a stream at).
            if (size == 0) return [];
            throw new InvalidDataException($"{origin}: the section ends after its header, with none of the 0x{size:x} compressed bytes it declares");
        }
        try
        {
            fixed (byte* p = payload)
            {
                using var input = new UnmanagedMemoryStream(p, payload.Length);
                using Stream inflater = zstd ? new ZstdSharp.DecompressionStream(input) : new ZLibStream(input, CompressionMode.Decompress);
                // Start small and let real output grow the buffer: the header's size is only an upper bound we trust later.
                using var output = new MemoryStream((int)Math.Min(size, (ulong)payload.Length * 4 + 4096));
                var chunk = new byte[81920];
                int n;
                while ((n = inflater.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if ((ulong)output.Length + (ulong)n > size)
                        throw new InvalidDataException($"{origin}: decompressed data is larger than the declared 0x{size:x} bytes");
                    output.Write(chunk, 0, n);
                }
                if ((ulong)output.Length != size)
                    throw new InvalidDataException($"{origin}: decompressed {output.Length} bytes but the header declares {size}");
                return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
            }
        }
        catch (Exception e) when (e is IOException || e is ZstdSharp.ZstdException || (e is InvalidDataException && e.InnerException == null && !e.Message.StartsWith(origin, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{origin}: {(zstd ? "zstd" : "zlib")} data is corrupt ({e.Message})", e);
        }
    }
}
