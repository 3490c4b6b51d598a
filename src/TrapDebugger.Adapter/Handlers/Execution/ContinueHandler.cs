using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Execution;

/// <summary><c>continue</c>: resumes every thread (all-stop).</summary>
public sealed class ContinueHandler() : EngineRequestHandler<ContinueArguments, ContinueResponseBody>(
    Commands.Continue, ProtocolJsonContext.Default.ContinueArguments, ProtocolJsonContext.Default.ContinueResponseBody)
{
    /// <inheritdoc/>
    protected override async Task<ContinueResponseBody?> HandleAsync(ContinueArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        await debuggee.WithEventsHeldAsync(context, debuggee.Process.ContinueAsync).ConfigureAwait(false);
        return new ContinueResponseBody { AllThreadsContinued = true };
    }
}
