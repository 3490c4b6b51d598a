using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Variables;

/// <summary><c>scopes</c>: Locals, Registers and Globals of a frame.</summary>
public sealed class ScopesHandler() : EngineRequestHandler<ScopesArguments, ScopesResponseBody>(
    Commands.Scopes, ProtocolJsonContext.Default.ScopesArguments, ProtocolJsonContext.Default.ScopesResponseBody)
{
    /// <inheritdoc/>
    protected override async Task<ScopesResponseBody?> HandleAsync(ScopesArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        var scopes = await debuggee.Process.GetScopesAsync(arguments.FrameId).ConfigureAwait(false);
        var body = new ScopesResponseBody();
        foreach (var scope in scopes)
        {
            body.Scopes.Add(new Scope
            {
                Name = scope.Name,
                VariablesReference = scope.VariablesReference,
                NamedVariables = scope.NamedVariables,
                Expensive = scope.Expensive,
                PresentationHint = scope.PresentationHint,
            });
        }
        return body;
    }
}
