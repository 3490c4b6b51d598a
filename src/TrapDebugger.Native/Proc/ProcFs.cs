using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native.Proc;

/// <summary>Reads the /proc files that describe a process: its threads, status, maps, executable, command line and auxv.</summary>
public static class ProcFs
{
    /// <summary>The ids of the processes in /proc (not of their other threads), in the order the kernel lists them.</summary>
    public static IEnumerable<int> Processes()
    {
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories("/proc"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var dir in dirs)
            if (int.TryParse(Path.GetFileName(dir), out var pid)) yield return pid;
    }

    /// <summary>True when /proc has an entry for <paramref name="pid"/> (a process, or a thread of one).</summary>
    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>The program process <paramref name="pid"/> runs (/proc/&lt;pid&gt;/exe without the " (deleted)" the kernel
    /// adds for a replaced file), or null when it cannot be read.</summary>
    public static string? ProgramOf(int pid)
    {
        var target = Executable(pid);
        return target is not null && target.EndsWith(" (deleted)", StringComparison.Ordinal) ? target[..^10] : target;
    }

    /// <summary>The thread ids in /proc/&lt;pid&gt;/task, ascending; empty when the process is gone.</summary>
    public static IReadOnlyList<int> Tasks(int pid)
    {
        try
        {
            var list = new List<int>();
            foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                if (int.TryParse(Path.GetFileName(dir), out var tid)) list.Add(tid);
            list.Sort();
            return list;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>/proc/&lt;pid&gt;/status, or null when the process does not exist.</summary>
    public static ProcessStatus? Status(int pid) => ReadStatus($"/proc/{pid}/status");

    /// <summary>/proc/&lt;pid&gt;/task/&lt;tid&gt;/status, or null when the thread does not exist.</summary>
    public static ProcessStatus? ThreadStatus(int pid, int tid) => ReadStatus($"/proc/{pid}/task/{tid}/status");

    private static ProcessStatus? ReadStatus(string path)
    {
        try { return ProcessStatus.Parse(File.ReadAllText(path)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The process that owns thread <paramref name="tid"/> (TracerPid names the tracing thread, not its process).</summary>
    public static int ProcessOfThread(int tid) => Status(tid) is { Tgid: > 0 } s ? s.Tgid : tid;

    /// <summary>/proc/&lt;pid&gt;/comm without the trailing newline, or null when the process is gone.</summary>
    public static string? Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>/proc/&lt;pid&gt;/task/&lt;tid&gt;/comm (the thread's name) without the trailing newline, or null when the thread is gone.</summary>
    public static string? ThreadComm(int pid, int tid)
    {
        try { return File.ReadAllText($"/proc/{pid}/task/{tid}/comm").TrimEnd('\n'); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The target of /proc/&lt;pid&gt;/exe (the running executable), or null when it cannot be read.</summary>
    public static string? Executable(int pid)
    {
        try { return new FileInfo($"/proc/{pid}/exe").LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The arguments in /proc/&lt;pid&gt;/cmdline (argv, NUL-separated in the file).</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/cmdline");
            return text.Split('\0', StringSplitOptions.None) is { Length: > 0 } parts && parts[^1].Length == 0 ? parts[..^1] : text.Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>The auxiliary vector of the process.</summary>
    public static AuxVector Auxv(int pid)
    {
        try { return AuxVector.Parse(File.ReadAllBytes($"/proc/{pid}/auxv")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new NoSuchProcessException(pid); }
    }

    /// <summary>Every mapping in /proc/&lt;pid&gt;/maps, in address order.</summary>
    public static IReadOnlyList<MemoryRegion> Maps(int pid)
    {
        try
        {
            var list = new List<MemoryRegion>();
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
                if (ParseMapsLine(line) is { } r) list.Add(r);
            return list;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>Parses one line of a maps file; null for a malformed line.</summary>
    internal static MemoryRegion? ParseMapsLine(string line)
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
        var permissions = parts[1];
        bool Has(int i, char c) => permissions.Length > i && permissions[i] == c;
        return new MemoryRegion(start, end, Has(0, 'r'), Has(1, 'w'), Has(2, 'x'), Has(3, 'p'), parts.Length > 5 ? parts[5].Trim() : "")
        {
            Offset = offset,
            Inode = inode,
        };
    }

    /// <summary>The value of /proc/sys/kernel/yama/ptrace_scope, or null when Yama is not built into the kernel.</summary>
    public static int? PtraceScope()
    {
        try { return int.TryParse(File.ReadAllText("/proc/sys/kernel/yama/ptrace_scope").Trim(), out var v) ? v : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
