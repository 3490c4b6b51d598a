using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session.Handlers;

/// <summary><c>terminate</c>: kills the debuggee; the session stays open until the client sends <c>disconnect</c>.</summary>
public sealed class TerminateHandler() : RequestHandler<TerminateArguments>(Commands.Terminate, ProtocolJsonContext.Default.TerminateArguments)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsTerminateRequest = true;

    /// <inheritdoc/>
    protected override async Task HandleAsync(TerminateArguments arguments, RequestContext context)
    {
        var session = context.Session;
        if (session.Debuggee is { } debuggee)
        {
            await debuggee.TerminateAsync(context.CancellationToken).ConfigureAwait(false);
            session.Debuggee = null;
        }
        // With nothing (left) to kill the session is over as far as the client is concerned.
        context.AfterResponse(session.SendTerminatedAsync);
    }
}
