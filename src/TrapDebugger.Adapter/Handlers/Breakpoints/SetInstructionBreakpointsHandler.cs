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
        return await BreakpointBinding.AnswerAsync(context, state, specs, s => BreakpointTranslation.Unbound(s.Id, null, null),
            process => BreakpointBinding.ApplyInstructionsAsync(state, process, specs)).ConfigureAwait(false);
    }
}
