using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary><c>setInstructionBreakpoints</c>: replaces the breakpoints on instruction addresses (the disassembly view's breakpoints).</summary>
public sealed class SetInstructionBreakpointsHandler() : EngineRequestHandler<SetInstructionBreakpointsArguments, BreakpointsResponseBody>(
    Commands.SetInstructionBreakpoints, ProtocolJsonContext.Default.SetInstructionBreakpointsArguments, ProtocolJsonContext.Default.BreakpointsResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsInstructionBreakpoints = true;

    /// <inheritdoc/>
    protected override async Task<BreakpointsResponseBody?> HandleAsync(SetInstructionBreakpointsArguments arguments, RequestContext context, EngineState state)
    {
        var specs = arguments.Breakpoints.Select(b => (state.NewBreakpointId(), new InstructionBreakpointSpec(
            SourceTranslation.ParseAddress(Command, b.InstructionReference, b.Offset ?? 0), b.Condition, b.HitCondition))).ToList();
        state.InstructionBreakpoints = specs;
        var body = new BreakpointsResponseBody();
        if (state.Debuggee is not { HasEnded: false } debuggee)
        {
            body.Breakpoints.AddRange(specs.Select(s => BreakpointTranslation.Unbound(s.Item1, null, null)));
            return body;
        }
        var created = await debuggee.WithEventsHeldAsync(context,
            () => BreakpointBinding.ApplyInstructionsAsync(state, debuggee.Process, specs)).ConfigureAwait(false);
        body.Breakpoints.AddRange(created.Select(b => BreakpointTranslation.ToDap(b, state)));
        return body;
    }
}
