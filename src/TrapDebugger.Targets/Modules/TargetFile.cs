namespace TrapDebugger.Targets;

/// <summary>Where the bytes of one of the target's files (a module's ELF image) are read from: a path on this machine,
/// or a byte source that fetches them from the target by file offset.</summary>
/// <remarks>A local path is preferred when there is one: it is memory-mapped, and separate debug files and split DWARF
/// are looked for next to it.</remarks>
public sealed class TargetFile : IDisposable
{
    private TargetFile(string path, string? localPath, IByteSource? source, ulong length)
    {
        Path = path;
        LocalPath = localPath;
        Source = source;
        Length = length;
    }

    /// <summary>The path as the target names it (the loader's l_name, /proc/PID/exe, a core's NT_FILE entry).</summary>
    public string Path { get; }

    /// <summary>A path on this machine that holds the file's bytes, or null when they come only through <see cref="Source"/>.</summary>
    public string? LocalPath { get; }

    /// <summary>The file's bytes by offset when there is no local path; null otherwise.</summary>
    public IByteSource? Source { get; }

    /// <summary>The file's size in bytes when it is read through <see cref="Source"/>.</summary>
    public ulong Length { get; }

    /// <summary>A file the debugger reads from this machine at <paramref name="localPath"/>.</summary>
    public static TargetFile Local(string path, string localPath) => new(path, localPath, null, 0);

    /// <summary>A file read by byte ranges from <paramref name="source"/> (which the file then owns).</summary>
    public static TargetFile FromSource(string path, IByteSource source, ulong length) => new(path, null, source, length);

    /// <inheritdoc/>
    public void Dispose() => (Source as IDisposable)?.Dispose();
}
