namespace TrapDebugger.Native.Proc;

/// <summary>One line of /proc/&lt;pid&gt;/maps: a mapped address range and what backs it.</summary>
/// <param name="Start">First address of the mapping.</param>
/// <param name="End">One past the last address.</param>
/// <param name="Permissions">The four permission letters, e.g. "r-xp".</param>
/// <param name="Offset">File offset of <see cref="Start"/>.</param>
/// <param name="Inode">Inode of the backing file; 0 for anonymous memory.</param>
/// <param name="Path">The backing file or pseudo-name ("[heap]", "[stack]", "[vdso]"), empty for anonymous memory.</param>
public sealed record MemoryRegion(ulong Start, ulong End, string Permissions, ulong Offset, ulong Inode, string Path)
{
    /// <summary>True when the mapping is readable.</summary>
    public bool IsReadable => Permissions.Length > 0 && Permissions[0] == 'r';

    /// <summary>True when the mapping is writable.</summary>
    public bool IsWritable => Permissions.Length > 1 && Permissions[1] == 'w';

    /// <summary>True when the mapping is executable.</summary>
    public bool IsExecutable => Permissions.Length > 2 && Permissions[2] == 'x';

    /// <summary>True when <paramref name="address"/> lies inside the mapping.</summary>
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>Parses one maps line; null for a malformed line.</summary>
    public static MemoryRegion? Parse(string line)
    {
        // 55d0c7e00000-55d0c7e02000 r--p 00000000 08:01 1234   /usr/bin/x
        var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5) return null;
        var dash = parts[0].IndexOf('-');
        if (dash < 0
            || !ulong.TryParse(parts[0].AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out var start)
            || !ulong.TryParse(parts[0].AsSpan(dash + 1), System.Globalization.NumberStyles.HexNumber, null, out var end)
            || !ulong.TryParse(parts[2], System.Globalization.NumberStyles.HexNumber, null, out var offset)
            || !ulong.TryParse(parts[4], out var inode))
            return null;
        return new MemoryRegion(start, end, parts[1], offset, inode, parts.Length > 5 ? parts[5].Trim() : "");
    }
}
