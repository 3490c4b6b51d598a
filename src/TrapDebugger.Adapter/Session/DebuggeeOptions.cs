using System.Text.Json;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Remote.Client;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Session;

/// <summary>How the debuggee is started or found.</summary>
public enum StartMethod
{
    /// <summary>The adapter starts the program.</summary>
    Launch,

    /// <summary>The adapter attaches to a running process.</summary>
    Attach,

    /// <summary>The adapter opens a core file: the process it records, stopped for good at its crash.</summary>
    Core,
}

/// <summary>Where a launched program's standard streams go when <c>stdio</c> does not send them to a file.</summary>
public enum ConsoleKind
{
    /// <summary>The Debug Console: output events, read from a pseudo-terminal; stdin is empty.</summary>
    InternalConsole,

    /// <summary>The client's integrated terminal, opened with <c>runInTerminal</c>.</summary>
    IntegratedTerminal,

    /// <summary>A terminal window outside the client, opened with <c>runInTerminal</c>.</summary>
    ExternalTerminal,
}

/// <summary>The Debug Console commands a configuration runs on its own.</summary>
/// <param name="Init">Run before the program is started or attached to.</param>
/// <param name="PreRun">Run once the process exists, before it runs.</param>
/// <param name="Stop">Run after every stop the client is told about.</param>
public sealed record StartupCommands(IReadOnlyList<string> Init, IReadOnlyList<string> PreRun, IReadOnlyList<string> Stop)
{
    /// <summary>No commands.</summary>
    public static StartupCommands None { get; } = new([], [], []);
}

/// <summary>The validated launch or attach configuration: every attribute checked in one place, one clear sentence per fault.</summary>
public sealed class DebuggeeOptions
{
    private DebuggeeOptions(StartMethod startMethod) => StartMethod = startMethod;

    /// <summary>Launch or attach.</summary>
    public StartMethod StartMethod { get; }

    /// <summary>Absolute path of the program (for attach: optional, or the name to wait for).</summary>
    public string? Program { get; private init; }

    /// <summary>Command-line arguments.</summary>
    public IReadOnlyList<string> Args { get; private init; } = [];

    /// <summary>Absolute working directory, or null for the adapter's.</summary>
    public string? Cwd { get; private init; }

    /// <summary>Variables to set (value) or remove (null) in the debuggee's environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; private init; } = new Dictionary<string, string?>();

    /// <summary>Stop before the first instruction of the program.</summary>
    public bool StopOnEntry { get; private init; }

    /// <summary>Run with address space layout randomization disabled (the default, so addresses repeat between runs).</summary>
    public bool DisableAslr { get; private init; }

    /// <summary>Run without debugging (VS Code's "Run Without Debugging").</summary>
    public bool NoDebug { get; private init; }

    /// <summary>Which process the session follows when the program forks.</summary>
    public ForkFollow FollowFork { get; private init; }

    /// <summary>True: the process not followed is only watched for a crash; false: it is debugged in a session of its own.</summary>
    public bool DetachOnFork { get; private init; } = true;

    /// <summary>True: one line per fork says how the other process ended; false: only a crash is said.</summary>
    public bool ReportAllForks { get; private init; }

    /// <summary>A launched program ends with the session unless the client says otherwise, and when the adapter dies;
    /// false lets it run on, detached (launch's <c>terminateDebuggee</c>).</summary>
    public bool TerminateDebuggee { get; private init; } = true;
    /// <summary>The core file to open instead of starting the program.</summary>
    public string? CoreFile { get; private init; }

    /// <summary>The process to attach to.</summary>
    public int? ProcessId { get; private init; }

    /// <summary>Wait for a process running <see cref="Program"/> to appear, then attach.</summary>
    public bool WaitFor { get; private init; }

    /// <summary>Source path remapping.</summary>
    public SourceMap SourceMap { get; private init; } = new();

    /// <summary>Where the remote agent is, or null to debug on this machine.</summary>
    public RemoteEndpoint? Remote { get; private init; }

    /// <summary>Where the program's streams go unless <see cref="Stdio"/> names a file.</summary>
    public ConsoleKind Console { get; private init; }

    /// <summary>Absolute paths that stdin, stdout and stderr are redirected to (null: the console).</summary>
    public IReadOnlyList<string?> Stdio { get; private init; } = [null, null, null];

    /// <summary>The Debug Console commands the configuration runs.</summary>
    public StartupCommands Startup { get; private init; } = StartupCommands.None;

    /// <summary>What a Debug Console line starts with to be a command (empty: every line is a command).</summary>
    public string CommandPrefix { get; private init; } = DefaultCommandPrefix;

    /// <summary>The directory that relative source paths are taken from when their compilation directory leaves them relative.</summary>
    public string RelativePathBase { get; private init; } = Directory.GetCurrentDirectory();

    /// <summary>The command prefix when the configuration names none: lldb-dap's.</summary>
    public const string DefaultCommandPrefix = "`";

    /// <summary>Validates <c>launch</c> arguments.</summary>
    /// <exception cref="RequestFailedException">An attribute is missing or wrong; the message names it.</exception>
    public static DebuggeeOptions ForLaunch(LaunchRequestArguments arguments)
    {
        const string request = Commands.Launch;
        if (ValidateRemote(request, arguments.Remote) is { } remote)
            return ForRemoteLaunch(arguments, remote);
        string? cwd = ValidateCwd(request, arguments.Cwd);
        if (arguments.CoreFile is not null)
            return ForCore(arguments, cwd);
        if (string.IsNullOrWhiteSpace(arguments.Program))
            throw Fault(request, "property 'program' needs to be specified");
        string program = Path.GetFullPath(arguments.Program, cwd ?? Directory.GetCurrentDirectory());
        if (Directory.Exists(program))
            throw Fault(request, $"program '{program}' is a directory, not an executable file");
        if (!File.Exists(program))
            throw Fault(request, $"program '{program}' does not exist");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(program) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            throw Fault(request, $"program '{program}' is not executable (chmod +x it)");

        string baseDirectory = cwd ?? Directory.GetCurrentDirectory();
        var environment = ReadEnvironmentFile(request, arguments.EnvFile, baseDirectory);
        foreach (var (name, value) in ValidateEnvironment(request, arguments.Env))
            environment[name] = value;
        return new DebuggeeOptions(StartMethod.Launch)
        {
            Program = program,
            Args = arguments.Args ?? [],
            Cwd = cwd,
            Environment = environment,
            StopOnEntry = arguments.StopOnEntry ?? false,
            DisableAslr = arguments.DisableAslr ?? true,
            NoDebug = arguments.NoDebug ?? false,
            TerminateDebuggee = arguments.TerminateDebuggee ?? true,
            FollowFork = ValidateFollowFork(request, arguments.FollowFork),
            DetachOnFork = ValidateDetachOnFork(request, arguments.DetachOnFork),
            ReportAllForks = ValidateForkEvents(request, arguments.ForkEvents),
            SourceMap = arguments.SourceMap ?? new SourceMap(),
            Console = ValidateConsole(request, arguments),
            Stdio = ValidateStdio(request, arguments.Stdio, baseDirectory),
            Startup = new StartupCommands(arguments.InitCommands ?? [], arguments.PreRunCommands ?? [], arguments.StopCommands ?? []),
            CommandPrefix = arguments.CommandEscapePrefix ?? DefaultCommandPrefix,
            RelativePathBase = ValidateRelativePathBase(request, arguments.RelativePathBase) ?? baseDirectory,
        };
    }

    // A core is opened, not run: the program is optional (the core names it), and what shapes a run (args, env, console,
    // stdio) does not apply.
    private static DebuggeeOptions ForCore(LaunchRequestArguments arguments, string? cwd)
    {
        const string request = Commands.Launch;
        string baseDirectory = cwd ?? Directory.GetCurrentDirectory();
        if (string.IsNullOrWhiteSpace(arguments.CoreFile))
            throw Fault(request, "property 'coreFile' must name a core file");
        string core = Path.GetFullPath(arguments.CoreFile, baseDirectory);
        if (Directory.Exists(core))
            throw Fault(request, $"coreFile '{core}' is a directory, not a core file");
        if (!File.Exists(core))
            throw Fault(request, $"coreFile '{core}' does not exist");
        string? program = null;
        if (!string.IsNullOrWhiteSpace(arguments.Program))
        {
            program = Path.GetFullPath(arguments.Program, baseDirectory);
            if (Directory.Exists(program))
                throw Fault(request, $"program '{program}' is a directory, not an executable file");
            if (!File.Exists(program))
                throw Fault(request, $"program '{program}' does not exist");
        }
        return new DebuggeeOptions(StartMethod.Core)
        {
            Program = program,
            CoreFile = core,
            Cwd = cwd,
            StopOnEntry = true,
            NoDebug = arguments.NoDebug ?? false,
            SourceMap = arguments.SourceMap ?? new SourceMap(),
            Startup = new StartupCommands(arguments.InitCommands ?? [], arguments.PreRunCommands ?? [], arguments.StopCommands ?? []),
            CommandPrefix = arguments.CommandEscapePrefix ?? DefaultCommandPrefix,
            RelativePathBase = ValidateRelativePathBase(request, arguments.RelativePathBase) ?? baseDirectory,
        };
    }

    /// <summary>Validates <c>attach</c> arguments.</summary>
    /// <exception cref="RequestFailedException">An attribute is missing or wrong; the message names it.</exception>
    public static DebuggeeOptions ForAttach(AttachRequestArguments arguments)
    {
        const string request = Commands.Attach;
        bool waitFor = arguments.WaitFor ?? false;
        if (waitFor)
        {
            if (string.IsNullOrWhiteSpace(arguments.Program))
                throw Fault(request, "property 'program' needs to be specified with 'waitFor'");
            if (arguments.Pid is not null)
                throw Fault(request, "properties 'pid' and 'waitFor' cannot be used together");
        }
        else if (arguments.Pid is null)
            throw Fault(request, "property 'pid' needs to be specified (or 'program' with 'waitFor': true)");
        if (arguments.Pid is <= 0)
            throw Fault(request, $"property 'pid' must be a positive process id, not {arguments.Pid}");
        var remote = ValidateRemote(request, arguments.Remote);

        return new DebuggeeOptions(StartMethod.Attach)
        {
            Program = string.IsNullOrWhiteSpace(arguments.Program) ? null : arguments.Program,
            ProcessId = arguments.Pid,
            WaitFor = waitFor,
            FollowFork = ValidateFollowFork(request, arguments.FollowFork),
            DetachOnFork = ValidateDetachOnFork(request, arguments.DetachOnFork),
            ReportAllForks = ValidateForkEvents(request, arguments.ForkEvents),
            StopOnEntry = arguments.StopOnEntry ?? false,
            SourceMap = arguments.SourceMap ?? new SourceMap(),
            Startup = new StartupCommands(arguments.InitCommands ?? [], arguments.PreRunCommands ?? [], arguments.StopCommands ?? []),
            CommandPrefix = arguments.CommandEscapePrefix ?? DefaultCommandPrefix,
            RelativePathBase = ValidateRelativePathBase(request, arguments.RelativePathBase) ?? Directory.GetCurrentDirectory(),
            Remote = remote,
        };
    }

    // The program and the working directory are paths on the agent's host: only their form can be checked here. The
    // program's streams come back to the Debug Console: a terminal or files here mean nothing to a program over there.
    private static DebuggeeOptions ForRemoteLaunch(LaunchRequestArguments arguments, RemoteEndpoint remote)
    {
        const string request = Commands.Launch;
        if (string.IsNullOrWhiteSpace(arguments.Program))
            throw Fault(request, "property 'program' needs to be specified");
        if (arguments.Cwd is { } cwd && (cwd.Length == 0 || !cwd.StartsWith('/')))
            throw Fault(request, $"property 'cwd' must be an absolute path, not '{cwd}'");
        if (ValidateConsole(request, arguments) != ConsoleKind.InternalConsole)
            throw Fault(request, "property 'console' must be 'internalConsole' with 'remote': the program's output comes back to the Debug Console");
        if (arguments.Stdio is { ValueKind: not JsonValueKind.Null })
            throw Fault(request, "property 'stdio' cannot be used with 'remote': the program's streams come back to the Debug Console");
        var environment = ReadEnvironmentFile(request, arguments.EnvFile, Directory.GetCurrentDirectory());
        foreach (var (name, value) in ValidateEnvironment(request, arguments.Env))
            environment[name] = value;
        return new DebuggeeOptions(StartMethod.Launch)
        {
            Program = arguments.Program,
            Args = arguments.Args ?? [],
            Cwd = arguments.Cwd,
            Environment = environment,
            StopOnEntry = arguments.StopOnEntry ?? false,
            DisableAslr = arguments.DisableAslr ?? true,
            NoDebug = arguments.NoDebug ?? false,
            SourceMap = arguments.SourceMap ?? new SourceMap(),
            Startup = new StartupCommands(arguments.InitCommands ?? [], arguments.PreRunCommands ?? [], arguments.StopCommands ?? []),
            CommandPrefix = arguments.CommandEscapePrefix ?? DefaultCommandPrefix,
            RelativePathBase = ValidateRelativePathBase(request, arguments.RelativePathBase) ?? Directory.GetCurrentDirectory(),
            Remote = remote,
        };
    }

    private static RemoteEndpoint? ValidateRemote(string request, RemoteArguments? remote)
    {
        if (remote is null)
            return null;
        bool pipe = remote.Pipe is { Count: > 0 };
        bool address = !string.IsNullOrWhiteSpace(remote.Address);
        if (pipe == address)
            throw Fault(request, "property 'remote' needs exactly one of 'pipe' (a command that starts 'trapdbg agent --stdio') and 'address' (host:port)");
        if (pipe && remote.Pipe!.Any(string.IsNullOrEmpty))
            throw Fault(request, "property 'remote.pipe' must not hold empty words");
        if (address && string.IsNullOrWhiteSpace(remote.TokenFile))
            throw Fault(request, "property 'remote.tokenFile' needs to be specified with 'remote.address'");
        return new RemoteEndpoint
        {
            Pipe = pipe ? remote.Pipe : null,
            Address = address ? remote.Address : null,
            TokenFile = remote.TokenFile,
            LocalFileDirectories = remote.LocalFiles ?? [],
        };
    }

    private static bool ValidateDetachOnFork(string request, bool? detachOnFork) => detachOnFork != false ? true
        : throw Fault(request, "property 'detachOnFork' false (debugging both processes of a fork) is not available in a DAP session yet; "
            + "the process not followed is watched for a crash (use trapdbg run or attach --detach-on-fork off to debug both)");

    private static ForkFollow ValidateFollowFork(string request, string? followFork) => followFork switch
    {
        null or "parent" => ForkFollow.Parent,
        "child" => ForkFollow.Child,
        _ => throw Fault(request, $"property 'followFork' must be 'parent' or 'child', not '{ClientText.Short(followFork)}'"),
    };

    private static bool ValidateForkEvents(string request, string? forkEvents) => forkEvents switch
    {
        null or "crashes" => false,
        "all" => true,
        _ => throw Fault(request, $"property 'forkEvents' must be 'crashes' or 'all', not '{ClientText.Short(forkEvents)}'"),
    };

    private static ConsoleKind ValidateConsole(string request, LaunchRequestArguments arguments)
    {
        if (arguments.Console is { } console)
        {
            return console switch
            {
                "internalConsole" => ConsoleKind.InternalConsole,
                "integratedTerminal" => ConsoleKind.IntegratedTerminal,
                "externalTerminal" => ConsoleKind.ExternalTerminal,
                _ => throw Fault(request, $"property 'console' must be 'internalConsole', 'integratedTerminal' or 'externalTerminal', not '{console}'"),
            };
        }
        if (arguments.Terminal is { } terminal)
        {
            return terminal switch
            {
                "console" => ConsoleKind.InternalConsole,
                "integrated" => ConsoleKind.IntegratedTerminal,
                "external" => ConsoleKind.ExternalTerminal,
                _ => throw Fault(request, $"property 'terminal' must be 'console', 'integrated' or 'external', not '{terminal}'"),
            };
        }
        return arguments.RunInTerminal == true ? ConsoleKind.IntegratedTerminal : ConsoleKind.InternalConsole;
    }

    /// <summary>The three redirections of <c>stdio</c>: one path for all streams, up to three paths (null keeps the
    /// console), or an object naming <c>stdin</c>, <c>stdout</c> and <c>stderr</c>; relative paths against the working directory.</summary>
    private static string?[] ValidateStdio(string request, JsonElement? stdio, string baseDirectory)
    {
        var paths = new string?[3];
        string[] streams = ["stdin", "stdout", "stderr"];
        string? PathOf(JsonElement item, string what) => item.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String when item.GetString() is { Length: > 0 } text => Path.GetFullPath(text, baseDirectory),
            _ => throw Fault(request, $"'stdio' {what} must be a file path or null"),
        };
        switch (stdio)
        {
            case null:
                break;
            case { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } all:
                var path = PathOf(all, "value");
                paths[0] = paths[1] = paths[2] = path;
                break;
            case { ValueKind: JsonValueKind.Array } list:
                if (list.GetArrayLength() > 3)
                    throw Fault(request, $"'stdio' lists {list.GetArrayLength()} paths; give at most three (stdin, stdout, stderr)");
                int index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    paths[index] = PathOf(item, $"entry {index} ({streams[index]})");
                    index++;
                }
                break;
            case { ValueKind: JsonValueKind.Object } named:
                foreach (var property in named.EnumerateObject())
                {
                    int stream = Array.IndexOf(streams, property.Name);
                    if (stream < 0)
                        throw Fault(request, $"'stdio' has an unknown stream '{property.Name}' (use stdin, stdout and stderr)");
                    paths[stream] = PathOf(property.Value, $"'{property.Name}'");
                }
                break;
            default:
                throw Fault(request, "property 'stdio' must be a path, an array of paths or an object with stdin, stdout and stderr");
        }
        if (paths[0] is { } input && !File.Exists(input) && !input.StartsWith("/dev/", StringComparison.Ordinal))
            throw Fault(request, $"the stdin file '{input}' given in 'stdio' does not exist");
        for (int i = 1; i < 3; i++)
        {
            if (paths[i] is { } output && Path.GetDirectoryName(output) is { } directory && !Directory.Exists(directory))
                throw Fault(request, $"the {streams[i]} file '{output}' given in 'stdio' cannot be created: '{directory}' is not an existing directory");
        }
        return paths;
    }

    private static Dictionary<string, string?> ReadEnvironmentFile(string request, string? envFile, string baseDirectory)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(envFile))
            return result;
        var path = Path.GetFullPath(envFile, baseDirectory);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw Fault(request, $"envFile '{path}' does not exist");
            if (info.Length > EnvironmentFile.MaxBytes)
                throw Fault(request, $"envFile '{path}' is larger than 1 MiB; it is not an environment file");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fault(request, $"envFile '{path}' cannot be read ({e.Message.TrimEnd('.')})");
        }
        try
        {
            foreach (var (name, value) in EnvironmentFile.Parse(text, $"envFile '{path}'"))
                result[name] = value;
        }
        catch (FormatException e)
        {
            throw Fault(request, e.Message);
        }
        return result;
    }

    private static string? ValidateRelativePathBase(string request, string? directory)
    {
        if (directory is null)
            return null;
        if (directory.Length == 0 || !Path.IsPathFullyQualified(directory))
            throw Fault(request, $"property 'relativePathBase' must be an absolute path, not '{directory}'");
        return directory;
    }

    private static string? ValidateCwd(string request, string? cwd)
    {
        if (cwd is null)
            return null;
        if (cwd.Length == 0 || !Path.IsPathFullyQualified(cwd))
            throw Fault(request, $"property 'cwd' must be an absolute path, not '{cwd}'");
        if (!Directory.Exists(cwd))
            throw Fault(request, $"cwd '{cwd}' is not an existing directory");
        return cwd;
    }

    private static Dictionary<string, string?> ValidateEnvironment(string request, Dictionary<string, string?>? env)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (env is null)
            return result;
        foreach (var (name, value) in env)
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0'))
                throw Fault(request, $"environment variable name '{name}' is not valid (it must be non-empty, without '=')");
            if (value is not null && value.Contains('\0'))
                throw Fault(request, $"environment variable '{name}' contains a NUL character");
            result[name] = value;
        }
        return result;
    }

    private static RequestFailedException Fault(string request, string what) => new($"{request}: {what}.");
}
