using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native.Guardian;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary><c>attach</c>: attaches to a pid, or waits for a process running <c>program</c> to start and attaches to it.</summary>
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
        var platform = state.Session.Options.Platform(LossPolicy.Detach);
        if (options.ProcessId is int given && await platform.FindProcessAsync(given, context.CancellationToken).ConfigureAwait(false) is null)
            throw new RequestFailedException($"attach: no process with pid {given} exists.");
        int pid = options.ProcessId ?? await platform.WaitForProcessAsync(options.Program!, context.CancellationToken).ConfigureAwait(false);
        TargetProcess process;
        try
        {
            process = await TargetProcess.AttachAsync(platform, pid, context.CancellationToken).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            throw EngineFailure.ToRequestFailure(Command, e);
        }
        await ProcessStart.BindAsync(context, state, process, launched: false, options.StopOnEntry, console: null).ConfigureAwait(false);
    }
}
