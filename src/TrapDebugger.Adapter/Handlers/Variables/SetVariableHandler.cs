using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Variables;

/// <summary><c>setVariable</c>: assigns a scalar, pointer or register; other views are invalidated because they may show the same memory.</summary>
public sealed class SetVariableHandler() : EngineRequestHandler<SetVariableArguments, SetVariableResponseBody>(
    Commands.SetVariable, ProtocolJsonContext.Default.SetVariableArguments, ProtocolJsonContext.Default.SetVariableResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsSetVariable = true;

    /// <inheritdoc/>
    protected override Task<SetVariableResponseBody?> HandleAsync(SetVariableArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        var row = debuggee.Process.SetVariable(arguments.VariablesReference, arguments.Name, arguments.Value, ValueFormatTranslation.Of(arguments.Format));
        var stop = debuggee.ReportedStop;
        context.AfterResponse(() => context.Connection.SendEventAsync(EventNames.Invalidated,
            new InvalidatedEventBody { Areas = ["variables"], ThreadId = stop?.ThreadId }, ProtocolJsonContext.Default.InvalidatedEventBody));
        return Task.FromResult<SetVariableResponseBody?>(new SetVariableResponseBody
        {
            Value = row.Value,
            Type = row.Type,
            VariablesReference = row.VariablesReference,
            NamedVariables = row.NamedVariables,
            IndexedVariables = row.IndexedVariables,
            MemoryReference = row.MemoryReference,
        });
    }
}
