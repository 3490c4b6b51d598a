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

    /// <summary>Whether stdin is a pipe the client writes (<see cref="StdioMode.Pipe"/>) or the debugger's own.</summary>
    public StdioMode StandardInput { get; init; } = StdioMode.Inherit;

    /// <summary>Whether stdout is a pipe the client reads or the debugger's own.</summary>
    public StdioMode StandardOutput { get; init; } = StdioMode.Inherit;

    /// <summary>Whether stderr is a pipe the client reads or the debugger's own.</summary>
    public StdioMode StandardError { get; init; } = StdioMode.Inherit;

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
}
