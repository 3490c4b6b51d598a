namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of the <c>runInTerminal</c> reverse request: the client runs <see cref="Args"/> in a terminal.</summary>
public sealed class RunInTerminalRequestArguments
{
    /// <summary><c>integrated</c> or <c>external</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>The terminal's title.</summary>
    public string? Title { get; set; }

    /// <summary>Working directory of the command.</summary>
    public string Cwd { get; set; } = "";

    /// <summary>The command and its arguments.</summary>
    public List<string> Args { get; set; } = [];

    /// <summary>Environment changes: a value sets a variable, null removes it.</summary>
    public Dictionary<string, string?>? Env { get; set; }

    /// <summary>Whether the client may pass the arguments through a shell unescaped.</summary>
    public bool? ArgsCanBeInterpretedByShell { get; set; }
}

/// <summary>Body of the <c>runInTerminal</c> response.</summary>
public sealed class RunInTerminalResponseBody
{
    /// <summary>The process id of the command, when the client knows it.</summary>
    public int? ProcessId { get; set; }

    /// <summary>The process id of the terminal's shell, when the client knows it.</summary>
    public int? ShellProcessId { get; set; }
}

/// <summary>Values of <see cref="RunInTerminalRequestArguments.Kind"/>.</summary>
public static class TerminalKinds
{
    /// <summary>The client's own terminal (VS Code's integrated terminal).</summary>
    public const string Integrated = "integrated";

    /// <summary>A terminal window outside the client.</summary>
    public const string External = "external";
}
