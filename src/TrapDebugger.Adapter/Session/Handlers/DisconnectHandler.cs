using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session.Handlers;

/// <summary><c>disconnect</c>: terminates a launched debuggee or detaches from an attached one (unless told otherwise), then ends the session.</summary>
public sealed class DisconnectHandler() : RequestHandler<DisconnectArguments>(Commands.Disconnect, ProtocolJsonContext.Default.DisconnectArguments)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportTerminateDebuggee = true;

    /// <inheritdoc/>
    protected override async Task HandleAsync(DisconnectArguments arguments, RequestContext context)
    {
        var session = context.Session;
        if (session.Debuggee is { } debuggee)
        {
            if (arguments.TerminateDebuggee ?? debuggee.WasLaunched)
                await debuggee.TerminateAsync(context.CancellationToken).ConfigureAwait(false);
            else
                await debuggee.DetachAsync(arguments.SuspendDebuggee ?? false, context.CancellationToken).ConfigureAwait(false);
            session.Debuggee = null;
        }
        session.EndAfterResponse();
    }
}
