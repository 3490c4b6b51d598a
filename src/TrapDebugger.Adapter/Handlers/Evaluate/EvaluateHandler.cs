using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Evaluate;

/// <summary><c>evaluate</c>: expressions for watch, hover, repl and clipboard, in the given frame or the stopped thread's
/// innermost one. An assignment or a function call changes the program (never from a hover); the client is then told
/// to read its variables again.</summary>
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
        var process = debuggee.Process;
        long before = process.StateVersion;
        var row = await process.EvaluateAsync(arguments.Expression, arguments.FrameId, Variables.ValueFormatTranslation.Of(arguments.Format),
            allowSideEffects: arguments.Context != EvaluateContexts.Hover).ConfigureAwait(false);
        if (process.StateVersion != before)
        {
            var stop = debuggee.ReportedStop;
            context.AfterResponse(() => context.Connection.SendEventAsync(EventNames.Invalidated,
                new InvalidatedEventBody { Areas = ["variables"], ThreadId = stop?.ThreadId }, ProtocolJsonContext.Default.InvalidatedEventBody));
        }
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
