using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Variables;

/// <summary><c>variables</c>: the rows under a scope or an expandable value, paged for large arrays.</summary>
public sealed class VariablesHandler() : EngineRequestHandler<VariablesArguments, VariablesResponseBody>(
    Commands.Variables, ProtocolJsonContext.Default.VariablesArguments, ProtocolJsonContext.Default.VariablesResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsValueFormattingOptions = true;

    /// <inheritdoc/>
    protected override Task<VariablesResponseBody?> HandleAsync(VariablesArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        int start = Math.Max(arguments.Start ?? 0, 0);
        int count = arguments.Count is int c and > 0 ? c : int.MaxValue;
        var rows = debuggee.Process.GetVariables(arguments.VariablesReference, start, count, ValueFormatTranslation.Of(arguments.Format));
        var body = new VariablesResponseBody();
        foreach (var row in rows)
            body.Variables.Add(VariableTranslation.ToDap(row));
        return Task.FromResult<VariablesResponseBody?>(body);
    }
}
