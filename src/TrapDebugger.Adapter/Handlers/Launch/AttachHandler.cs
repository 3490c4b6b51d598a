using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Process;
using TrapDebugger.Targets;
using TrapDebugger.Native.Guardian;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary><c>attach</c>: attaches to a pid, or waits for a process running <c>program</c> to start and attaches to it,
/// on this machine or where the remote agent runs.</summary>
public sealed class AttachHandler() : EngineRequestHandler<AttachRequestArguments>(Commands.Attach, ProtocolJsonContext.Default.AttachRequestArguments)
{
    /// <inheritdoc/>
    protected override async Task HandleAsync(AttachRequestArguments arguments, RequestContext context, EngineState state)
    {
        if (state.Session.Debuggee is not null)
            throw new RequestFailedException("attach: a process is already being debugged in this session.");
        var options = DebuggeeOptions.ForAttach(arguments);
        LaunchHandler.Configure(state, options);
        await DebugConsole.StartupCommandRunner.RunAsync(state, options.Startup.Init).ConfigureAwait(false);
        var platform = await PlatformChoice.ConnectAsync(Command, options, () => state.Session.Options.Platform(LossPolicy.Detach), context.CancellationToken).ConfigureAwait(false);
        TargetProcess process;
        try
        {
            if (options.ProcessId is int given && await platform.FindProcessAsync(given, context.CancellationToken).ConfigureAwait(false) is null)
                throw new RequestFailedException($"attach: no process with pid {given} exists{PlatformChoice.Where(platform)}.");
            int pid = options.ProcessId ?? await WaitForAsync(context, platform, options.Program!).ConfigureAwait(false);
            process = await TargetProcess.AttachAsync(platform, pid, context.CancellationToken).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            await PlatformChoice.ReleaseAsync(platform).ConfigureAwait(false);
            throw EngineFailure.ToRequestFailure(Command, e);
        }
        catch (TargetException e)
        {
            await PlatformChoice.ReleaseAsync(platform).ConfigureAwait(false);
            throw new RequestFailedException($"{Command}: {e.Message}");
        }
        catch (Exception)
        {
            await PlatformChoice.ReleaseAsync(platform).ConfigureAwait(false);
            throw;
        }
        await ProcessStart.BindAsync(context, state, process, launched: false, options.StopOnEntry, console: null).ConfigureAwait(false);
    }

    // Says what it waits for, since the wait can be long and the client shows nothing else meanwhile.
    private static async Task<int> WaitForAsync(RequestContext context, ITargetPlatform platform, string program)
    {
        var where = PlatformChoice.Where(platform);
        return await platform.WaitForProcessAsync(program,
            () => _ = context.Connection.SendOutputAsync(Protocol.Events.OutputCategories.Console, $"trapdbg: waiting for a process running '{program}' to start{where}…\n"),
            context.CancellationToken).ConfigureAwait(false);
    }
}
