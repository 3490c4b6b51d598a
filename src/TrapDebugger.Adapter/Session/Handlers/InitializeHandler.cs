using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session.Handlers;

/// <summary><c>initialize</c>: records the client and answers with the capabilities of the registered handlers, then sends <c>initialized</c>.</summary>
/// <remarks>Breakpoints sent before <c>launch</c> are kept by their handlers and applied when the process starts, so the
/// adapter is ready for configuration as soon as it has answered.</remarks>
public sealed class InitializeHandler() : RequestHandler<InitializeRequestArguments, Capabilities>(
    Commands.Initialize, ProtocolJsonContext.Default.InitializeRequestArguments, ProtocolJsonContext.Default.Capabilities)
{
    /// <inheritdoc/>
    protected override Task<Capabilities?> HandleAsync(InitializeRequestArguments arguments, RequestContext context)
    {
        if (context.Session.Client is not null)
            throw new RequestFailedException("initialize: the session is already initialized.") { ErrorId = ErrorIds.OutOfOrder };
        context.Session.Client = arguments;

        // Cancel is served by the session itself, ahead of the request queue.
        var capabilities = new Capabilities { SupportsCancelRequest = true };
        context.Session.Dispatcher.Advertise(capabilities);
        context.AfterResponse(() => context.Connection.SendEventAsync(EventNames.Initialized));
        return Task.FromResult<Capabilities?>(capabilities);
    }
}
