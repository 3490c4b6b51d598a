using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary><c>launch</c>: starts the program stopped at its entry point, its stdout and stderr forwarded as output events.</summary>
public sealed class LaunchHandler() : EngineRequestHandler<LaunchRequestArguments>(Commands.Launch, ProtocolJsonContext.Default.LaunchRequestArguments)
{
    /// <inheritdoc/>
    protected override async Task HandleAsync(LaunchRequestArguments arguments, RequestContext context, EngineState state)
    {
        if (state.Session.Debuggee is not null)
            throw new RequestFailedException("launch: a process is already being debugged in this session.");
        var options = DebuggeeOptions.ForLaunch(arguments);
        var program = options.Program!;
        if (options.Remote is null)
            RequireElf(program);
        var launch = new LaunchOptions
        {
            Program = program,
            Arguments = options.Args,
            // A remote program starts from the agent's environment, changed as asked.
            Environment = options.Remote is null ? MergeEnvironment(options.Environment) : RemoteEnvironment(options.Environment),
            WorkingDirectory = options.Cwd,
            // The adapter's own stdin carries DAP on stdio: the program must never read it.
            StandardInput = StdioMode.Null,
            StandardOutput = StdioMode.Pipe,
            StandardError = StdioMode.Pipe,
            DisableAslr = options.DisableAslr,
        };
        var platform = await PlatformChoice.ConnectAsync(Command, options, context.CancellationToken).ConfigureAwait(false);
        TargetProcess process;
        try
        {
            process = await TargetProcess.LaunchAsync(platform, launch, context.CancellationToken).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            await PlatformChoice.ReleaseAsync(platform).ConfigureAwait(false);
            throw EngineFailure.ToRequestFailure(Command, e);
        }
        await ProcessStart.BindAsync(context, state, process, launched: true, options.StopOnEntry).ConfigureAwait(false);
    }

    private static void RequireElf(string program)
    {
        Span<byte> magic = stackalloc byte[4];
        int read;
        try
        {
            using var file = File.OpenRead(program);
            read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RequestFailedException($"launch: program '{program}' cannot be read ({e.Message}).");
        }
        if (read < 4 || magic[0] != 0x7f || magic[1] != (byte)'E' || magic[2] != (byte)'L' || magic[3] != (byte)'F')
            throw new RequestFailedException($"launch: program '{program}' is not an ELF executable.");
    }

    // Only additions travel: removing a variable from the agent's environment needs the whole of it, which is not known here.
    private static Dictionary<string, string>? RemoteEnvironment(IReadOnlyDictionary<string, string?> changes) =>
        changes.Count == 0 ? null : changes.Where(c => c.Value is not null).ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);

    private static Dictionary<string, string>? MergeEnvironment(IReadOnlyDictionary<string, string?> changes)
    {
        if (changes.Count == 0)
            return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        foreach (var (name, value) in changes)
        {
            if (value is null)
                result.Remove(name);
            else
                result[name] = value;
        }
        return result;
    }
}
