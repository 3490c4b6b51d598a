using TrapDebugger.Adapter.Handlers.DebugConsole;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Cores;
using TrapDebugger.Elf.Core;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary><c>launch</c> with <c>coreFile</c>: opens the core as the session's process, stopped for good at the crash it
/// records; its threads, stacks, variables and diagnosis are shown as for a live stop, and run control is refused with
/// one sentence.</summary>
public static class CoreLaunch
{
    /// <summary>Opens the core of <paramref name="options"/> and makes it the session's debuggee.</summary>
    /// <exception cref="RequestFailedException">The core cannot be read; the message is one sentence.</exception>
    public static async Task OpenAsync(RequestContext context, EngineState state, DebuggeeOptions options)
    {
        var corePath = options.CoreFile!;
        LaunchHandler.Configure(state, options);
        await StartupCommandRunner.RunAsync(state, options.Startup.Init).ConfigureAwait(false);
        CoreTarget target;
        try
        {
            target = CoreTarget.Open(corePath, new ModuleFileLocator(options.Program, [Path.GetDirectoryName(corePath) ?? "/"]));
        }
        catch (Exception e) when (e is CoreFormatException or IOException or UnauthorizedAccessException)
        {
            throw EngineFailure.ToRequestFailure(Commands.Launch, e);
        }
        TargetProcess process;
        try
        {
            process = await TargetProcess.OpenAsync(target).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            await target.DisposeAsync().ConfigureAwait(false);
            throw EngineFailure.ToRequestFailure(Commands.Launch, e);
        }
        await ProcessStart.BindAsync(context, state, process, launched: false, stopOnEntry: true, console: null).ConfigureAwait(false);
        // Reading the modules' symbols (above) is what finds their files: the warnings about missing or rebuilt ones are known now.
        foreach (var warning in target.Warnings)
            await context.Connection.SendOutputAsync(OutputCategories.Console, $"trapdbg: {warning}\n").ConfigureAwait(false);
    }
}
