using System.Text.Json;
using System.Text.Json.Serialization;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>initialize</c>: who the client is and what it supports.</summary>
public sealed class InitializeRequestArguments
{
    /// <summary>Client id, e.g. <c>vscode</c>.</summary>
    [JsonPropertyName("clientID")]
    public string? ClientId { get; set; }

    /// <summary>Human-readable client name.</summary>
    public string? ClientName { get; set; }

    /// <summary>The debug type, e.g. <c>trapdbg</c>.</summary>
    [JsonPropertyName("adapterID")]
    public string AdapterId { get; set; } = "";

    /// <summary>ISO-639 locale of the client.</summary>
    public string? Locale { get; set; }

    /// <summary>Whether lines are 1-based (the default).</summary>
    public bool? LinesStartAt1 { get; set; }

    /// <summary>Whether columns are 1-based (the default).</summary>
    public bool? ColumnsStartAt1 { get; set; }

    /// <summary><c>path</c> or <c>uri</c>.</summary>
    public string? PathFormat { get; set; }

    /// <summary>The client shows variable types.</summary>
    public bool? SupportsVariableType { get; set; }

    /// <summary>The client pages variables.</summary>
    public bool? SupportsVariablePaging { get; set; }

    /// <summary>The client implements <c>runInTerminal</c>.</summary>
    public bool? SupportsRunInTerminalRequest { get; set; }

    /// <summary>The client understands memory references.</summary>
    public bool? SupportsMemoryReferences { get; set; }

    /// <summary>The client shows progress events.</summary>
    public bool? SupportsProgressReporting { get; set; }

    /// <summary>The client handles <c>invalidated</c> events.</summary>
    public bool? SupportsInvalidatedEvent { get; set; }

    /// <summary>The client handles <c>memory</c> events.</summary>
    public bool? SupportsMemoryEvent { get; set; }

    /// <summary>The client supports <c>argsCanBeInterpretedByShell</c>.</summary>
    public bool? SupportsArgsCanBeInterpretedByShell { get; set; }

    /// <summary>The client implements <c>startDebugging</c>.</summary>
    public bool? SupportsStartDebuggingRequest { get; set; }

    /// <summary>The client renders ANSI escape sequences in output.</summary>
    public bool? SupportsANSIStyling { get; set; }

    /// <summary>TrapDebugger extension: the token a TCP connection must present (see docs/dap-extensions.md).</summary>
    public string? TrapdbgAuthToken { get; set; }
}

/// <summary>Arguments of <c>launch</c>, named as lldb-dap and CodeLLDB name them; unknown attributes are ignored.</summary>
public sealed class LaunchRequestArguments
{
    /// <summary>Run without debugging.</summary>
    public bool? NoDebug { get; set; }

    /// <summary>Data from a previous session's <c>terminated</c> event.</summary>
    [JsonPropertyName("__restart")]
    public JsonElement? Restart { get; set; }

    /// <summary>Path of the program to start; with <see cref="CoreFile"/>, the program the core is of (optional).</summary>
    public string? Program { get; set; }

    /// <summary>A core file to debug instead of starting the program (lldb-dap's and CodeLLDB's name).</summary>
    public string? CoreFile { get; set; }

    /// <summary>Command-line arguments.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Working directory of the program.</summary>
    public string? Cwd { get; set; }

    /// <summary>Environment variables added to (or, with a null value, removed from) the adapter's environment.</summary>
    public Dictionary<string, string?>? Env { get; set; }

    /// <summary>Stop at the program's entry point.</summary>
    public bool? StopOnEntry { get; set; }

    /// <summary>Disable address space layout randomization (default true, like lldb).</summary>
    [JsonPropertyName("disableASLR")]
    public bool? DisableAslr { get; set; }

    /// <summary>Source path remapping, from build paths to local paths.</summary>
    public SourceMap? SourceMap { get; set; }

    /// <summary>TrapDebugger extension: debug on another host or in a container through the remote agent.</summary>
    public RemoteArguments? Remote { get; set; }
    /// <summary>Where the program's standard streams go: <c>internalConsole</c> (the Debug Console, through a
    /// pseudo-terminal), <c>integratedTerminal</c> or <c>externalTerminal</c> (a terminal the client opens through
    /// <c>runInTerminal</c>), as lldb-dap and cpptools name them.</summary>
    public string? Console { get; set; }

    /// <summary>CodeLLDB's spelling of <see cref="Console"/>: <c>console</c>, <c>integrated</c> or <c>external</c>.</summary>
    public string? Terminal { get; set; }

    /// <summary>lldb-dap's older switch: true means <c>integratedTerminal</c>.</summary>
    public bool? RunInTerminal { get; set; }

    /// <summary>Redirection of stdin, stdout and stderr to files, as CodeLLDB takes it: one path for all three, an
    /// array of up to three paths (null keeps the console), or an object with <c>stdin</c>, <c>stdout</c>, <c>stderr</c>.</summary>
    public JsonElement? Stdio { get; set; }

    /// <summary>A file of NAME=value lines added to the environment before <see cref="Env"/>.</summary>
    public string? EnvFile { get; set; }

    /// <summary>Debug Console commands run before the program is started.</summary>
    public List<string>? InitCommands { get; set; }

    /// <summary>Debug Console commands run once the program is loaded, before it runs.</summary>
    public List<string>? PreRunCommands { get; set; }

    /// <summary>Debug Console commands run after every stop.</summary>
    public List<string>? StopCommands { get; set; }

    /// <summary>What a Debug Console line starts with to be a command rather than an expression (default a backtick).</summary>
    public string? CommandEscapePrefix { get; set; }

    /// <summary>The directory that relative source paths of the debug information are taken from when the compilation
    /// directory does not make them absolute (default: <see cref="Cwd"/>).</summary>
    public string? RelativePathBase { get; set; }

    /// <summary>Whether the program ends with the session when the client does not say (a <c>disconnect</c> without
    /// <c>terminateDebuggee</c>) and when the adapter itself dies; false leaves it running, detached (default true).</summary>
    public bool? TerminateDebuggee { get; set; }

    /// <summary>Which process to follow when the program forks: <c>parent</c> (default) or <c>child</c> (gdb's follow-fork-mode).</summary>
    public string? FollowFork { get; set; }

    /// <summary>True (default): the process not followed runs without breakpoints and is only watched for a crash; false: it
    /// is debugged too, in a session of its own (gdb's detach-on-fork).</summary>
    public bool? DetachOnFork { get; set; }

    /// <summary>What is said about forked processes: <c>crashes</c> (default: only a crash) or <c>all</c> (one line per fork).</summary>
    public string? ForkEvents { get; set; }
}

/// <summary>Arguments of <c>attach</c>; unknown attributes are ignored.</summary>
public sealed class AttachRequestArguments
{
    /// <summary>Data from a previous session's <c>terminated</c> event.</summary>
    [JsonPropertyName("__restart")]
    public JsonElement? Restart { get; set; }

    /// <summary>Process id to attach to (a number or a numeric string, as VS Code's process picker sends).</summary>
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int? Pid { get; set; }

    /// <summary>Path of the program; with <see cref="WaitFor"/>, the name to wait for.</summary>
    public string? Program { get; set; }

    /// <summary>Wait for a process named like <see cref="Program"/> to start, then attach.</summary>
    public bool? WaitFor { get; set; }

    /// <summary>Stop right after attaching.</summary>
    public bool? StopOnEntry { get; set; }

    /// <summary>Source path remapping, from build paths to local paths.</summary>
    public SourceMap? SourceMap { get; set; }

    /// <summary>TrapDebugger extension: debug on another host or in a container through the remote agent.</summary>
    public RemoteArguments? Remote { get; set; }
    /// <summary>Debug Console commands run before attaching.</summary>
    public List<string>? InitCommands { get; set; }

    /// <summary>Debug Console commands run once attached, before the process runs on.</summary>
    public List<string>? PreRunCommands { get; set; }

    /// <summary>Debug Console commands run after every stop.</summary>
    public List<string>? StopCommands { get; set; }

    /// <summary>What a Debug Console line starts with to be a command rather than an expression (default a backtick).</summary>
    public string? CommandEscapePrefix { get; set; }

    /// <summary>The directory that relative source paths of the debug information are taken from when the compilation
    /// directory does not make them absolute (default: the adapter's working directory).</summary>
    public string? RelativePathBase { get; set; }

    /// <summary>Which process to follow when the program forks: <c>parent</c> (default) or <c>child</c> (gdb's follow-fork-mode).</summary>
    public string? FollowFork { get; set; }

    /// <summary>True (default): the process not followed runs without breakpoints and is only watched for a crash; false: it
    /// is debugged too, in a session of its own (gdb's detach-on-fork).</summary>
    public bool? DetachOnFork { get; set; }

    /// <summary>What is said about forked processes: <c>crashes</c> (default: only a crash) or <c>all</c> (one line per fork).</summary>
    public string? ForkEvents { get; set; }
}

/// <summary>Arguments of <c>disconnect</c>.</summary>
public sealed class DisconnectArguments
{
    /// <summary>The client will restart the session.</summary>
    public bool? Restart { get; set; }

    /// <summary>Terminate the debuggee (default: terminate if launched, detach if attached).</summary>
    public bool? TerminateDebuggee { get; set; }

    /// <summary>Leave the debuggee suspended after detaching.</summary>
    public bool? SuspendDebuggee { get; set; }
}

/// <summary>Arguments of <c>terminate</c>.</summary>
public sealed class TerminateArguments
{
    /// <summary>The client will restart the session.</summary>
    public bool? Restart { get; set; }
}

/// <summary>Arguments of <c>cancel</c>.</summary>
public sealed class CancelArguments
{
    /// <summary>Sequence number of the request to cancel.</summary>
    public int? RequestId { get; set; }

    /// <summary>Id of the progress to cancel.</summary>
    public string? ProgressId { get; set; }
}

/// <summary>TrapDebugger extension: where the remote agent is (docs/dap-extensions.md).</summary>
public sealed class RemoteArguments
{
    /// <summary>A command and its arguments whose stdin/stdout reach <c>trapdbg agent --stdio</c>, e.g.
    /// <c>["ssh", "host", "trapdbg", "agent", "--stdio"]</c>.</summary>
    public List<string>? Pipe { get; set; }

    /// <summary>host:port of an agent started with <c>trapdbg agent --listen</c>.</summary>
    public string? Address { get; set; }

    /// <summary>The file whose first line is the TCP agent's token.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Directories of local builds to prefer over the agent's copies of module files when their build-id matches.</summary>
    public List<string>? LocalFiles { get; set; }
}
