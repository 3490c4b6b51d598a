namespace TrapDebugger.Elf;

/// <summary>The CRC-32 (IEEE 802.3, reflected 0xEDB88320) that .gnu_debuglink records for the separate debug file.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues a CRC over <paramref name="data"/>; start with 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>The CRC of a whole file, read in chunks.</summary>
    public static uint OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[1 << 16];
        uint crc = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
            crc = Append(crc, buffer.AsSpan(0, n));
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
