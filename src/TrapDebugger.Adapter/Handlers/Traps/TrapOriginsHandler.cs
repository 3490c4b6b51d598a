using TrapDebugger.Adapter.Handlers.Exceptions;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Traps;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Traps;

/// <summary><c>trapOrigins</c> (TrapDebugger extension): the ranked checks that may have fired at the current trap, with their evidence.</summary>
public sealed class TrapOriginsHandler() : EngineRequestHandler<TrapOriginsArguments, TrapOriginsResponseBody>(
    Commands.TrapOrigins, ProtocolJsonContext.Default.TrapOriginsArguments, ProtocolJsonContext.Default.TrapOriginsResponseBody)
{
    /// <inheritdoc/>
    protected override Task<TrapOriginsResponseBody?> HandleAsync(TrapOriginsArguments arguments, RequestContext context, EngineState state)
    {
        var diagnosis = TrapStop.DiagnosisOf(Command, state, arguments.ThreadId);
        var body = new TrapOriginsResponseBody { Kind = TrapWireNames.KindOf(diagnosis), Description = diagnosis.Description };
        foreach (var origin in diagnosis.Origins.OrderBy(o => o.Rank))
        {
            body.Origins.Add(new TrapOriginInfo
            {
                Rank = origin.Rank,
                Address = SourceTranslation.Address(origin.BranchAddress),
                Source = origin.Location is { } l ? SourceTranslation.ToSource(l.File, state.Paths) : null,
                Line = origin.Location?.Line,
                Column = origin.Location is { Column: > 0 } c ? c.Column : null,
                Category = origin.Category,
                Message = origin.Message,
                MessageSource = TrapWireNames.Of(origin.MessageSource),
                Condition = TrapWireNames.Of(origin.Condition),
                Evidence = origin.Evidence,
                InlinedFrom = origin.InlinedFrom,
            });
        }
        return Task.FromResult<TrapOriginsResponseBody?>(body);
    }
}
