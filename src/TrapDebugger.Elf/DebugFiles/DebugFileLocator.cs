namespace TrapDebugger.Elf;

/// <summary>Finds the separate debug file of an ELF file the way gdb does: by build id under the debug roots, then by .gnu_debuglink (CRC32 checked).</summary>
public sealed class DebugFileLocator
{
    /// <summary>The default global debug directory.</summary>
    public const string DefaultDebugRoot = "/usr/lib/debug";

    /// <summary>Creates a locator that searches <paramref name="debugRoots"/> (default: /usr/lib/debug) plus <paramref name="extraDirectories"/>.</summary>
    public DebugFileLocator(IEnumerable<string>? debugRoots = null, IEnumerable<string>? extraDirectories = null)
    {
        DebugRoots = debugRoots?.ToList() ?? [DefaultDebugRoot];
        ExtraDirectories = extraDirectories?.ToList() ?? [];
    }

    /// <summary>Global debug directories, each searched for ".build-id/xx/rest.debug" and "&lt;dir of the file&gt;/&lt;debuglink&gt;".</summary>
    public IReadOnlyList<string> DebugRoots { get; }

    /// <summary>Extra directories searched for the debuglink name and for "xx/rest.debug" build-id paths.</summary>
    public IReadOnlyList<string> ExtraDirectories { get; }

    /// <summary>Every path tried for <paramref name="file"/> opened from <paramref name="path"/>, in search order.</summary>
    public IEnumerable<(string Path, uint? Crc)> Candidates(ElfFile file, string path)
    {
        if (file.BuildIdHex is { Length: > 2 } id)
        {
            foreach (var root in DebugRoots)
                yield return (System.IO.Path.Combine(root, ".build-id", id[..2], id[2..] + ".debug"), null);
            foreach (var dir in ExtraDirectories)
            {
                yield return (System.IO.Path.Combine(dir, ".build-id", id[..2], id[2..] + ".debug"), null);
                yield return (System.IO.Path.Combine(dir, id[..2], id[2..] + ".debug"), null);
            }
        }
        if (file.DebugLink is { } link && link.FileName.Length > 0 && link.FileName.IndexOf('/') < 0)
        {
            string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "/";
            yield return (System.IO.Path.Combine(dir, link.FileName), link.Crc);
            yield return (System.IO.Path.Combine(dir, ".debug", link.FileName), link.Crc);
            foreach (var root in DebugRoots)
                yield return (root + (dir.StartsWith('/') ? dir : "/" + dir) + "/" + link.FileName, link.Crc);
            foreach (var extra in ExtraDirectories)
                yield return (System.IO.Path.Combine(extra, link.FileName), link.Crc);
        }
    }

    /// <summary>The path of the separate debug file for <paramref name="file"/> (opened from <paramref name="path"/>), or null if none matches.</summary>
    /// <remarks>A build-id candidate must carry the same build id; a debuglink candidate must have the recorded CRC32.
    /// The file itself never counts as its own debug file.</remarks>
    public string? Locate(ElfFile file, string path)
    {
        string self = System.IO.Path.GetFullPath(path);
        foreach (var (candidate, crc) in Candidates(file, path))
        {
            if (!File.Exists(candidate) || System.IO.Path.GetFullPath(candidate) == self)
                continue;
            try
            {
                if (crc is { } expected)
                {
                    if (Crc32.OfFile(candidate) == expected) return candidate;
                    continue;
                }
                using var debug = ElfFile.Open(candidate);
                if (debug.BuildIdHex == file.BuildIdHex) return candidate;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // An unreadable or corrupt candidate is skipped, as gdb does; the next one may be good.
            }
        }
        return null;
    }
}
