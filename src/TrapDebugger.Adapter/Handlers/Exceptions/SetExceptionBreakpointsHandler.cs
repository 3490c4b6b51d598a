using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary><c>setExceptionBreakpoints</c>: chooses which optional stops (handled or sent signals, Rust panics, C++ throws) show;
/// the others are passed to the program. A crash stops whatever the filters are, an empty list included.</summary>
public sealed class SetExceptionBreakpointsHandler() : EngineRequestHandler<SetExceptionBreakpointsArguments, SetExceptionBreakpointsResponseBody>(
    Commands.SetExceptionBreakpoints, ProtocolJsonContext.Default.SetExceptionBreakpointsArguments, ProtocolJsonContext.Default.SetExceptionBreakpointsResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.ExceptionBreakpointFilters = [.. ExceptionFilterNames.All];
        capabilities.SupportsExceptionFilterOptions = true;
    }

    /// <inheritdoc/>
    protected override async Task<SetExceptionBreakpointsResponseBody?> HandleAsync(SetExceptionBreakpointsArguments arguments, RequestContext context, EngineState state)
    {
        var filters = arguments.Filters.Concat(arguments.FilterOptions?.Select(o => o.FilterId) ?? []).Distinct().ToList();
        state.Filters.Set(filters);
        if (state.Debuggee is { HasEnded: false } debuggee) await state.Filters.ApplyAsync(debuggee.Process).ConfigureAwait(false);
        return new SetExceptionBreakpointsResponseBody { Breakpoints = [.. filters.Select(_ => new Breakpoint { Verified = true })] };
    }
}
