using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary><c>setExceptionBreakpoints</c>: chooses which traps and signals stop the program; the others are passed to it.</summary>
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
    protected override Task<SetExceptionBreakpointsResponseBody?> HandleAsync(SetExceptionBreakpointsArguments arguments, RequestContext context, EngineState state)
    {
        var filters = arguments.Filters.Concat(arguments.FilterOptions?.Select(o => o.FilterId) ?? []).Distinct().ToList();
        state.Filters.Set(filters);
        var body = new SetExceptionBreakpointsResponseBody { Breakpoints = [.. filters.Select(_ => new Breakpoint { Verified = true })] };
        return Task.FromResult<SetExceptionBreakpointsResponseBody?>(body);
    }
}
