namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary>Waits for a new process running a given program (attach with <c>waitFor</c>).</summary>
public static class ProcessWatch
{
    /// <summary>Polls /proc until a process that was not there when waiting began runs <paramref name="program"/>
    /// (matched by executable path, or by file name when <paramref name="program"/> has no directory).</summary>
    public static async Task<int> WaitForAsync(string program, CancellationToken cancellationToken)
    {
        var existing = ProcessIds().ToHashSet();
        bool byName = !program.Contains('/');
        string wanted = byName ? program : Path.GetFullPath(program);
        int self = Environment.ProcessId;
        while (true)
        {
            foreach (var pid in ProcessIds())
            {
                if (pid == self || existing.Contains(pid))
                    continue;
                var exe = Executable(pid);
                if (exe is null)
                    continue;
                if (byName ? Path.GetFileName(exe) == wanted : exe == wanted)
                    return pid;
                existing.Add(pid);
            }
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<int> ProcessIds()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
                yield return pid;
        }
    }

    private static string? Executable(int pid)
    {
        try
        {
            var target = new FileInfo($"/proc/{pid}/exe").LinkTarget;
            return target?.EndsWith(" (deleted)", StringComparison.Ordinal) == true ? target[..^10] : target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
