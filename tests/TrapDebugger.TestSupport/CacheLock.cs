namespace TrapDebugger.TestSupport;

/// <summary>An exclusive lock on a cache entry shared by every test process of this checkout (an advisory lock on a
/// lock file), so two test projects running at once never build or rewrite the same entry together.</summary>
public sealed class CacheLock : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);
    private readonly FileStream stream;

    private CacheLock(FileStream stream) => this.stream = stream;

    /// <summary>Waits until no other thread or process holds the lock for <paramref name="path"/> and takes it.</summary>
    public static CacheLock Acquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock() on Unix: it excludes other processes and other handles of this one.
                return new CacheLock(new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => stream.Dispose();
}
