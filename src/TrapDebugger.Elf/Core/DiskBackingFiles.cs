namespace TrapDebugger.Elf.Core;

/// <summary>Backing files taken from the paths the core recorded, used only when their build-id matches the one in the core's memory.</summary>
/// <remarks>A program rebuilt since the crash has different code at the same addresses; reading it would show wrong
/// instructions, so a mismatch makes those bytes absent instead.</remarks>
public sealed class DiskBackingFiles : ICoreBackingFiles
{
    /// <summary>The shared instance.</summary>
    public static DiskBackingFiles Instance { get; } = new();

    /// <inheritdoc />
    public IByteSource? Open(string path, string? buildIdHex, Action<string> warn)
    {
        if (!File.Exists(path))
        {
            warn($"{path} is not on this machine, so the pages the core left out of it read as absent.");
            return null;
        }
        MappedFile? mapped = null;
        try
        {
            mapped = MappedFile.Open(path);
            if (buildIdHex != null)
            {
                var onDisk = ElfFile.Read(mapped, (ulong)mapped.Length, path).BuildIdHex;
                if (!string.Equals(onDisk, buildIdHex, StringComparison.Ordinal))
                {
                    warn($"{path} has build-id {onDisk ?? "(none)"} but the core's copy has {buildIdHex}, so it is not used for the pages the core left out.");
                    mapped.Dispose();
                    return null;
                }
            }
            return mapped;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            mapped?.Dispose();
            warn($"{path} cannot be read ({e.Message.TrimEnd('.')}), so the pages the core left out of it read as absent.");
            return null;
        }
    }
}
