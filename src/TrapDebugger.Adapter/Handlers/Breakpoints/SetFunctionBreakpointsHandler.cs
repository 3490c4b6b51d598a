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
        var body = new BreakpointsResponseBody();
        if (state.Debuggee is not { HasEnded: false } debuggee)
        {
            body.Breakpoints.AddRange(specs.Select(s => BreakpointTranslation.Unbound(s.Item1, null, null)));
            return body;
        }
        var created = await debuggee.WithEventsHeldAsync(context,
            () => BreakpointBinding.ApplyFunctionsAsync(state, debuggee.Process, specs)).ConfigureAwait(false);
        body.Breakpoints.AddRange(created.Select(b => BreakpointTranslation.ToDap(b, state)));
        return body;
    }
}
