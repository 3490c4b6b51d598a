namespace TrapDebugger.Cli.Running;

/// <summary>Finds the program to run (a path, or a name on PATH) and checks it is an ELF file before the debugger starts it.</summary>
/// <param name="Path">The full path of the program, when found.</param>
/// <param name="Error">Why the program cannot be run, as one sentence; null when it can.</param>
/// <param name="NotFound">True when <paramref name="Error"/> says the program does not exist.</param>
public sealed record ProgramFile(string? Path, string? Error, bool NotFound)
{
    /// <summary>Resolves and checks <paramref name="program"/>.</summary>
    public static ProgramFile Check(string program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Length == 0) return new(null, "the program name is empty.", true);
        var path = program.Contains('/', StringComparison.Ordinal) ? System.IO.Path.GetFullPath(program) : SearchPath(program);
        if (path is null) return new(null, $"'{program}' is not a file and was not found on PATH.", true);
        if (Directory.Exists(path)) return new(null, $"'{program}' is a directory, not a program.", false);
        if (!File.Exists(path)) return new(null, $"'{program}' does not exist.", true);
        try
        {
            Span<byte> magic = stackalloc byte[4];
            using var stream = File.OpenRead(path);
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || magic[0] != 0x7f || magic[1] != (byte)'E' || magic[2] != (byte)'L' || magic[3] != (byte)'F')
                return new(null, $"'{program}' is not an ELF executable (the debugger runs native programs, not scripts).", false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(null, $"'{program}' cannot be read: {e.Message}", false);
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            return new(null, $"'{program}' is not executable (chmod +x it).", false);
        return new(path, null, false);
    }

    private static string? SearchPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
