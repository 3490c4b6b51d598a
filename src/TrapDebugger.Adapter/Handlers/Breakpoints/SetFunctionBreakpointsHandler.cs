using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary><c>setFunctionBreakpoints</c>: replaces the function breakpoints (every out-of-line copy and inlined instance of the name).</summary>
public sealed class SetFunctionBreakpointsHandler() : EngineRequestHandler<SetFunctionBreakpointsArguments, BreakpointsResponseBody>(
    Commands.SetFunctionBreakpoints, ProtocolJsonContext.Default.SetFunctionBreakpointsArguments, ProtocolJsonContext.Default.BreakpointsResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsFunctionBreakpoints = true;

    /// <inheritdoc/>
    protected override async Task<BreakpointsResponseBody?> HandleAsync(SetFunctionBreakpointsArguments arguments, RequestContext context, EngineState state)
    {
        var specs = arguments.Breakpoints.Select(b => (state.NewBreakpointId(), new FunctionBreakpointSpec(b.Name, b.Condition, b.HitCondition))).ToList();
        state.FunctionBreakpoints = specs;
        return await BreakpointBinding.AnswerAsync(context, state, specs, s => BreakpointTranslation.Unbound(s.Id, null, null),
            process => BreakpointBinding.ApplyFunctionsAsync(state, process, specs)).ConfigureAwait(false);
    }
}
