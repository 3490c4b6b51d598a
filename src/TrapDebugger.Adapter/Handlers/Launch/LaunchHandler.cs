using TrapDebugger.Adapter.Handlers.DebugConsole;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Handlers.ProgramIo;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native.Guardian;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary><c>launch</c>: starts the program stopped at its entry point, its streams where <c>console</c> and <c>stdio</c>
/// say (the Debug Console by default, streamed as it runs); with <c>coreFile</c>, opens the core instead (<see cref="CoreLaunch"/>).</summary>
public sealed class LaunchHandler() : EngineRequestHandler<LaunchRequestArguments>(Commands.Launch, ProtocolJsonContext.Default.LaunchRequestArguments)
{
    /// <inheritdoc/>
    protected override async Task HandleAsync(LaunchRequestArguments arguments, RequestContext context, EngineState state)
    {
        if (state.Session.Debuggee is not null)
            throw new RequestFailedException("launch: a process is already being debugged in this session.");
        var options = DebuggeeOptions.ForLaunch(arguments);
        if (options.StartMethod == StartMethod.Core)
        {
            await CoreLaunch.OpenAsync(context, state, options).ConfigureAwait(false);
            return;
        }
        var program = options.Program!;
        if (options.Remote is null)
            RequireElf(program);
        Configure(state, options);
        await StartupCommandRunner.RunAsync(state, options.Startup.Init).ConfigureAwait(false);

        var platform = await PlatformChoice.ConnectAsync(Command, options,
            () => state.Session.Options.Platform(options.TerminateDebuggee ? LossPolicy.Kill : LossPolicy.Detach), context.CancellationToken).ConfigureAwait(false);
        ProgramConsole console;
        try
        {
            console = options.Remote is null ? await ProgramConsole.OpenAsync(context, options).ConfigureAwait(false) : ProgramConsole.ForRemote();
        }
        catch
        {
            await PlatformChoice.ReleaseAsync(platform).ConfigureAwait(false);
            throw;
        }
        TargetProcess process;
        try
        {
            var environment = new Dictionary<string, string?>(options.Environment, StringComparer.Ordinal);
            if (console.TerminalType is { } term && !environment.ContainsKey("TERM"))
                environment["TERM"] = term;
            var launch = console.Apply(new LaunchOptions
            {
                Program = program,
                Arguments = options.Args,
                // A remote program starts from the agent's environment, changed as asked.
                Environment = options.Remote is null ? MergeEnvironment(environment) : RemoteEnvironment(environment),
                WorkingDirectory = options.Cwd,
                DisableAslr = options.DisableAslr,
            });
            process = await TargetProcess.LaunchAsync(platform, launch, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await console.DisposeAsync().ConfigureAwait(false);
            await PlatformChoice.ReleaseAsync(platform).ConfigureAwait(false);
            if (e is EngineException)
                throw EngineFailure.ToRequestFailure(Command, e);
            if (e is TargetException)
                throw new RequestFailedException($"{Command}: {e.Message}");
            throw;
        }
        foreach (var redirection in ProgramConsole.Redirections(options))
            await context.Connection.SendOutputAsync(OutputCategories.Console, $"trapdbg: the program's {redirection}\n").ConfigureAwait(false);
        await ProcessStart.BindAsync(context, state, process, launched: true, options.StopOnEntry, console, options.TerminateDebuggee).ConfigureAwait(false);
    }

    /// <summary>Records what the session needs of <paramref name="options"/> beyond the process: source paths and console commands.</summary>
    public static void Configure(EngineState state, DebuggeeOptions options)
    {
        state.Paths = new SourcePaths(options.SourceMap, options.RelativePathBase);
        state.CommandPrefix = options.CommandPrefix;
        state.StartupCommands = options.Startup;
        state.Forks = new EngineState.ForkHandling(options.FollowFork, options.ReportAllForks);
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
