using System.Security.Cryptography;
using System.Text;
using TrapDebugger.Elf;
using TrapDebugger.Remote.Contract;

namespace TrapDebugger.Remote.Files;

/// <summary>Finds the bytes of a remote module's file on this machine: a local file with the same build-id (the same
/// path, a directory the user named, <c>/usr/lib/debug/.build-id</c>), or the copy fetched from an agent earlier,
/// kept by build-id so a second session reads nothing twice; only when there is none is the file fetched, by byte
/// ranges, into that cache.</summary>
internal sealed class ModuleFileCache(string root, IReadOnlyList<string> localDirectories)
{
    /// <summary>How many bytes one file read asks the agent for.</summary>
    public const int ChunkSize = 1 << 20;

    /// <summary>The default cache: $XDG_CACHE_HOME/trapdbg/files, else ~/.cache/trapdbg/files.</summary>
    public static string DefaultRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".cache");
        return Path.Combine(baseDir, "trapdbg", "files");
    }

    /// <summary>The cache entry of a file: by build-id, or for a file without one by its path, size and time.</summary>
    public string EntryPath(string remotePath, WireFile file)
    {
        if (file.BuildId is { Length: >= 4 } id && id.All(char.IsAsciiHexDigitLower))
            return Path.Combine(root, "build-id", id[..2], id[2..] + "-" + Path.GetFileName(remotePath));
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{remotePath}\n{file.Length}\n{file.ModifiedUnixSeconds}")));
        return Path.Combine(root, "by-path", key[..2], key[2..] + "-" + Path.GetFileName(remotePath));
    }

    /// <summary>A file on this machine with the same build-id as the remote one, or null.</summary>
    public string? FindLocal(string remotePath, WireFile file)
    {
        if (file.BuildId is not { } id)
            return null;
        var name = Path.GetFileName(remotePath);
        var candidates = new List<string> { remotePath };
        foreach (var dir in localDirectories)
        {
            candidates.Add(Path.Combine(dir, name));
            candidates.Add(Path.Combine(dir, remotePath.TrimStart('/')));
        }
        // A full copy of the file under the debug root (an unstripped build published by build-id).
        candidates.Add(Path.Combine(DebugFileLocator.DefaultDebugRoot, ".build-id", id[..2], id[2..]));
        foreach (var candidate in candidates)
        {
            if (HasBuildId(candidate, id, file.Length))
                return candidate;
        }
        return null;
    }

    private static bool HasBuildId(string path, string buildId, long length)
    {
        try
        {
            if (!File.Exists(path))
                return false;
            using var elf = ElfFile.Open(path);
            // The same build-id with the same size is the same file; a larger one may be its unstripped twin.
            return elf.BuildIdHex == buildId && new FileInfo(path).Length >= length;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Fetches <paramref name="length"/> bytes by chunks through <paramref name="read"/> into the cache entry
    /// <paramref name="entry"/>, published atomically so a parallel session never sees half a file.</summary>
    public static async Task FetchAsync(string entry, long length, Func<long, int, Task<byte[]>> read)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        var temporary = $"{entry}.{Environment.ProcessId}.{Guid.NewGuid():N}.part";
        try
        {
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                // A few chunks in flight at once hide the round trip.
                const int window = 4;
                var inFlight = new Queue<Task<byte[]>>();
                long next = 0;
                long written = 0;
                while (written < length)
                {
                    while (inFlight.Count < window && next < length)
                    {
                        int count = (int)Math.Min(ChunkSize, length - next);
                        inFlight.Enqueue(read(next, count));
                        next += count;
                    }
                    var chunk = await inFlight.Dequeue().ConfigureAwait(false);
                    if (chunk.Length == 0)
                        throw new TargetException($"the agent's copy of the file ended at byte {written} of {length}.");
                    await output.WriteAsync(chunk).ConfigureAwait(false);
                    written += chunk.Length;
                    if (chunk.Length < ChunkSize && written < length)
                        throw new TargetException($"the agent's copy of the file ended at byte {written} of {length}.");
                }
            }
            File.Move(temporary, entry, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
