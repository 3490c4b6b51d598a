using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Session;

/// <summary>How the debuggee is started or found.</summary>
public enum StartMethod
{
    /// <summary>The adapter starts the program.</summary>
    Launch,

    /// <summary>The adapter attaches to a running process.</summary>
    Attach,
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

    /// <summary>The process to attach to.</summary>
    public int? ProcessId { get; private init; }

    /// <summary>Wait for a process running <see cref="Program"/> to appear, then attach.</summary>
    public bool WaitFor { get; private init; }

    /// <summary>Source path remapping.</summary>
    public SourceMap SourceMap { get; private init; } = new();

    /// <summary>Validates <c>launch</c> arguments.</summary>
    /// <exception cref="RequestFailedException">An attribute is missing or wrong; the message names it.</exception>
    public static DebuggeeOptions ForLaunch(LaunchRequestArguments arguments)
    {
        const string request = Commands.Launch;
        string? cwd = ValidateCwd(request, arguments.Cwd);
        if (string.IsNullOrWhiteSpace(arguments.Program))
            throw Fault(request, "property 'program' needs to be specified");
        string program = Path.GetFullPath(arguments.Program, cwd ?? Directory.GetCurrentDirectory());
        if (Directory.Exists(program))
            throw Fault(request, $"program '{program}' is a directory, not an executable file");
        if (!File.Exists(program))
            throw Fault(request, $"program '{program}' does not exist");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(program) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            throw Fault(request, $"program '{program}' is not executable (chmod +x it)");

        return new DebuggeeOptions(StartMethod.Launch)
        {
            Program = program,
            Args = arguments.Args ?? [],
            Cwd = cwd,
            Environment = ValidateEnvironment(request, arguments.Env),
            StopOnEntry = arguments.StopOnEntry ?? false,
            DisableAslr = arguments.DisableAslr ?? true,
            NoDebug = arguments.NoDebug ?? false,
            SourceMap = arguments.SourceMap ?? new SourceMap(),
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

        return new DebuggeeOptions(StartMethod.Attach)
        {
            Program = string.IsNullOrWhiteSpace(arguments.Program) ? null : arguments.Program,
            ProcessId = arguments.Pid,
            WaitFor = waitFor,
            StopOnEntry = arguments.StopOnEntry ?? false,
            SourceMap = arguments.SourceMap ?? new SourceMap(),
        };
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
