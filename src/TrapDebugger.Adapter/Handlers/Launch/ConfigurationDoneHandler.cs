using System.Text.Json;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary><c>configurationDone</c>: the client has sent its breakpoints; the program runs (or shows its first stop with stopOnEntry).</summary>
public sealed class ConfigurationDoneHandler : IRequestHandler
{
    /// <inheritdoc/>
    public string Command => Commands.ConfigurationDone;

    /// <inheritdoc/>
    public void Advertise(Capabilities capabilities) => capabilities.SupportsConfigurationDoneRequest = true;

    /// <inheritdoc/>
    public Task<JsonElement?> HandleAsync(RequestContext context)
    {
        var state = context.Session.Engine;
        if (state.ConfigurationDone)
            throw new RequestFailedException("configurationDone: configuration is already done.") { ErrorId = ErrorIds.OutOfOrder };
        state.ConfigurationDone = true;
        if (state.Debuggee is { } debuggee)
        {
            context.AfterResponse(async () =>
            {
                try
                {
                    await ProcessStart.RunAsync(debuggee).ConfigureAwait(false);
                }
                catch (Exception e) when (EngineFailure.IsUserFacing(e))
                {
                    await context.Connection.SendOutputAsync(Protocol.Events.OutputCategories.Important, $"trapdbg: cannot start the program: {e.Message}\n")
                        .ConfigureAwait(false);
                }
            });
        }
        return Task.FromResult<JsonElement?>(null);
    }
}
