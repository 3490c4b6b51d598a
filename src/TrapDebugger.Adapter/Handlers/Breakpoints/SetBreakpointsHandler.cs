using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary><c>setBreakpoints</c>: replaces the line breakpoints of one source file (conditions, hit counts, logpoints);
/// lines without code move to the next line with code, files in no loaded module stay pending until one loads.</summary>
public sealed class SetBreakpointsHandler() : EngineRequestHandler<SetBreakpointsArguments, BreakpointsResponseBody>(
    Commands.SetBreakpoints, ProtocolJsonContext.Default.SetBreakpointsArguments, ProtocolJsonContext.Default.BreakpointsResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.SupportsConditionalBreakpoints = true;
        capabilities.SupportsHitConditionalBreakpoints = true;
        capabilities.SupportsLogPoints = true;
    }

    /// <inheritdoc/>
    protected override async Task<BreakpointsResponseBody?> HandleAsync(SetBreakpointsArguments arguments, RequestContext context, EngineState state)
    {
        var path = arguments.Source.Path;
        if (string.IsNullOrWhiteSpace(path))
            throw new RequestFailedException("setBreakpoints: the source has no 'path' (breakpoints in sources without a file are not supported).");
        var requested = arguments.Breakpoints?.Select(b => new SourceBreakpointSpec(b.Line, b.Condition, b.HitCondition, b.LogMessage)).ToList()
            ?? arguments.Lines?.Select(line => new SourceBreakpointSpec(line)).ToList()
            ?? [];
        var specs = requested.Select(s => (state.NewBreakpointId(), s)).ToList();
        state.SourceBreakpoints[path] = specs;
        return await BreakpointBinding.AnswerAsync(context, state, specs, s => BreakpointTranslation.Unbound(s.Id, s.Spec.Line, path),
            process => BreakpointBinding.ApplySourceAsync(state, process, path, specs)).ConfigureAwait(false);
    }
}
