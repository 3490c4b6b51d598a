namespace TrapDebugger.Targets;

/// <summary>How a platform starts a program under the debugger.</summary>
public sealed record LaunchOptions
{
    /// <summary>The program to run: a path, or a name looked up on PATH.</summary>
    public required string Program { get; init; }

    /// <summary>Arguments after argv[0].</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The environment as NAME=value pairs; null inherits the debugger's environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>The working directory; null inherits the debugger's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Where stdin comes from: the debugger's own, a pipe the client writes (<see cref="StdioMode.Pipe"/>),
    /// /dev/null, or <see cref="StandardInputPath"/>.</summary>
    public StdioMode StandardInput { get; init; } = StdioMode.Inherit;

    /// <summary>Where stdout goes: the debugger's own, a pipe the client reads, /dev/null, or <see cref="StandardOutputPath"/>.</summary>
    public StdioMode StandardOutput { get; init; } = StdioMode.Inherit;

    /// <summary>Where stderr goes: the debugger's own, a pipe the client reads, /dev/null, or <see cref="StandardErrorPath"/>.</summary>
    public StdioMode StandardError { get; init; } = StdioMode.Inherit;

    /// <summary>The file or device stdin is read from with <see cref="StdioMode.File"/>.</summary>
    public string? StandardInputPath { get; init; }

    /// <summary>The file or device stdout is written to with <see cref="StdioMode.File"/> (a file is created or truncated).</summary>
    public string? StandardOutputPath { get; init; }

    /// <summary>The file or device stderr is written to with <see cref="StdioMode.File"/> (a file is created or truncated).</summary>
    public string? StandardErrorPath { get; init; }

    /// <summary>Run with address-space randomisation disabled (personality ADDR_NO_RANDOMIZE), as gdb and lldb do by default.</summary>
    public bool DisableAslr { get; init; } = true;
}

/// <summary>Where a standard stream of the launched program goes.</summary>
public enum StdioMode
{
    /// <summary>The debugger's own stream.</summary>
    Inherit,
    /// <summary>A pipe whose other end the client reads or writes.</summary>
    Pipe,
    /// <summary>/dev/null.</summary>
    Null,
    /// <summary>A file or a device (a terminal, a pseudo-terminal's slave) named by the stream's path. A stream that names
    /// the same path as another shares its open file, so stdout and stderr sent to one file do not overwrite each other;
    /// a character device is opened for reading and writing, as a terminal is.</summary>
    File,
}
