using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session.Handlers;

/// <summary><c>disconnect</c>: terminates a launched debuggee or detaches from an attached one (unless told otherwise), then ends the session.</summary>
public sealed class DisconnectHandler() : RequestHandler<DisconnectArguments>(Commands.Disconnect, ProtocolJsonContext.Default.DisconnectArguments)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.SupportTerminateDebuggee = true;
        capabilities.SupportSuspendDebuggee = true;
    }

    /// <inheritdoc/>
    protected override async Task HandleAsync(DisconnectArguments arguments, RequestContext context)
    {
        var session = context.Session;
        if (session.Debuggee is { } debuggee)
        {
            // A client asking to leave the process suspended wants it kept, even one the adapter launched.
            if (arguments.TerminateDebuggee ?? (debuggee.TerminatesByDefault && arguments.SuspendDebuggee != true))
                await debuggee.TerminateAsync(context.CancellationToken).ConfigureAwait(false);
            else
                await debuggee.DetachAsync(arguments.SuspendDebuggee ?? false, context.CancellationToken).ConfigureAwait(false);
            session.Debuggee = null;
        }
        session.EndAfterResponse();
    }
}
