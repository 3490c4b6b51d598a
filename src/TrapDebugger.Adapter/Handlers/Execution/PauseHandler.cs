using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Execution;

/// <summary><c>pause</c>: stops every thread; the stop arrives as a <c>stopped</c> event with reason <c>pause</c>.</summary>
public sealed class PauseHandler() : EngineRequestHandler<PauseArguments>(Commands.Pause, ProtocolJsonContext.Default.PauseArguments)
{
    /// <inheritdoc/>
    protected override Task HandleAsync(PauseArguments arguments, RequestContext context, EngineState state) =>
        state.RequireDebuggee(Command).Process.PauseAsync();
}
