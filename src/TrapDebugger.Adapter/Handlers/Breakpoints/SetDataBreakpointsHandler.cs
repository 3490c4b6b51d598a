using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using DapBreakpoint = TrapDebugger.Protocol.Types.Breakpoint;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary><c>setDataBreakpoints</c>: replaces every data breakpoint; each takes one of the four x86 debug registers on
/// every thread, and the answer says which could not be set and why.</summary>
public sealed class SetDataBreakpointsHandler() : EngineRequestHandler<SetDataBreakpointsArguments, BreakpointsResponseBody>(
    Commands.SetDataBreakpoints, ProtocolJsonContext.Default.SetDataBreakpointsArguments, ProtocolJsonContext.Default.BreakpointsResponseBody)
{
    /// <inheritdoc/>
    protected override async Task<BreakpointsResponseBody?> HandleAsync(SetDataBreakpointsArguments arguments, RequestContext context, EngineState state)
    {
        var answers = new DapBreakpoint[arguments.Breakpoints.Count];
        var specs = new List<(int Index, int ClientId, DataBreakpointSpec Spec)>();
        for (int i = 0; i < arguments.Breakpoints.Count; i++)
        {
            var requested = arguments.Breakpoints[i];
            int id = state.NewBreakpointId();
            var access = requested.AccessType ?? DataBreakpointInfoHandler.Write;
            if (DataBreakpointInfoHandler.TargetOf(state, requested.DataId) is not { } target)
                answers[i] = Unset(id, $"'{requested.DataId}' is not a data id from dataBreakpointInfo");
            else if (access == DataBreakpointInfoHandler.Read)
                answers[i] = Unset(id, "x86 debug registers cannot trap reads alone; use the readWrite access type");
            else if (access is not (DataBreakpointInfoHandler.Write or DataBreakpointInfoHandler.ReadWrite))
                answers[i] = Unset(id, $"'{access}' is not an access type; use write or readWrite");
            else
                specs.Add((i, id, new DataBreakpointSpec(target, access == DataBreakpointInfoHandler.Write ? DataAccess.Write : DataAccess.ReadWrite,
                    requested.Condition, requested.HitCondition)));
        }
        if (state.Debuggee is not { HasEnded: false } debuggee)
        {
            // Data ids name addresses of one process: without one there is nothing to watch yet.
            foreach (var (index, clientId, spec) in specs)
                answers[index] = Unset(clientId, $"there is no process; watch {spec.Target.Name} once the program has stopped");
            return new BreakpointsResponseBody { Breakpoints = [.. answers] };
        }
        if (!debuggee.Process.IsStopped)
            throw new RequestFailedException("setDataBreakpoints: data breakpoints are set while the process is stopped; pause it first.");
        var created = await debuggee.Process.SetDataBreakpointsAsync(specs.Select(s => s.Spec).ToList()).ConfigureAwait(false);
        for (int k = 0; k < created.Count; k++)
        {
            var (index, clientId, _) = specs[k];
            state.ClientIdOfEngineId[created[k].Id] = clientId;
            answers[index] = new DapBreakpoint
            {
                Id = clientId,
                Verified = created[k].IsVerified,
                Message = created[k].Message,
                Reason = created[k].IsVerified ? null : "failed",
            };
        }
        return new BreakpointsResponseBody { Breakpoints = [.. answers] };
    }

    private static DapBreakpoint Unset(int id, string message) => new() { Id = id, Verified = false, Message = message, Reason = "failed" };
}
