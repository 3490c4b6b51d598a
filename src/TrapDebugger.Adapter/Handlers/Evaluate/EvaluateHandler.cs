using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Evaluate;

/// <summary><c>evaluate</c>: C expressions for watch, hover, repl and clipboard, in the given frame or the stopped thread's innermost one.</summary>
public sealed class EvaluateHandler() : EngineRequestHandler<EvaluateArguments, EvaluateResponseBody>(
    Commands.Evaluate, ProtocolJsonContext.Default.EvaluateArguments, ProtocolJsonContext.Default.EvaluateResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.SupportsEvaluateForHovers = true;
        capabilities.SupportsClipboardContext = true;
    }

    /// <inheritdoc/>
    protected override async Task<EvaluateResponseBody?> HandleAsync(EvaluateArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        if (string.IsNullOrWhiteSpace(arguments.Expression))
            throw new RequestFailedException("evaluate: the expression is empty.");
        var row = await debuggee.Process.EvaluateAsync(arguments.Expression, arguments.FrameId, Variables.ValueFormatTranslation.Of(arguments.Format)).ConfigureAwait(false);
        return new EvaluateResponseBody
        {
            Result = row.Value,
            Type = row.Type,
            VariablesReference = row.VariablesReference,
            NamedVariables = row.NamedVariables,
            IndexedVariables = row.IndexedVariables,
            MemoryReference = row.MemoryReference,
        };
    }
}
