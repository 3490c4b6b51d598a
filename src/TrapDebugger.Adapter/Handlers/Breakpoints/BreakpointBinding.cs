using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using DapBreakpoint = TrapDebugger.Protocol.Types.Breakpoint;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary>Applies the client's breakpoints to the engine and records which engine breakpoint each client id became.</summary>
public static class BreakpointBinding
{
    /// <summary>Replaces the breakpoints of <paramref name="path"/> (the client's path, looked up as the debug information names it).</summary>
    public static async Task<IReadOnlyList<Breakpoint>> ApplySourceAsync(EngineState state, TargetProcess process, string path,
        IReadOnlyList<(int Id, SourceBreakpointSpec Spec)> specs)
    {
        var created = await process.SetSourceBreakpointsAsync(state.Paths.ToTarget(path), specs.Select(s => s.Spec).ToList()).ConfigureAwait(false);
        Bind(state, created, specs.Select(s => s.Id).ToList());
        return created;
    }

    /// <summary>Replaces the function breakpoints.</summary>
    public static async Task<IReadOnlyList<Breakpoint>> ApplyFunctionsAsync(EngineState state, TargetProcess process,
        IReadOnlyList<(int Id, FunctionBreakpointSpec Spec)> specs)
    {
        var created = await process.SetFunctionBreakpointsAsync(specs.Select(s => s.Spec).ToList()).ConfigureAwait(false);
        Bind(state, created, specs.Select(s => s.Id).ToList());
        return created;
    }

    /// <summary>Replaces the instruction breakpoints.</summary>
    public static async Task<IReadOnlyList<Breakpoint>> ApplyInstructionsAsync(EngineState state, TargetProcess process,
        IReadOnlyList<(int Id, InstructionBreakpointSpec Spec)> specs)
    {
        var created = await process.SetInstructionBreakpointsAsync(specs.Select(s => s.Spec).ToList()).ConfigureAwait(false);
        Bind(state, created, specs.Select(s => s.Id).ToList());
        return created;
    }

    /// <summary>Answers a request that replaced one kind of breakpoint: without a process every breakpoint is reported
    /// unverified as <paramref name="unbound"/> words it; otherwise <paramref name="apply"/> replaces the engine's breakpoints
    /// while the session holds engine events (so no breakpoint event overtakes the response), and each is reported as bound.</summary>
    public static async Task<BreakpointsResponseBody> AnswerAsync<TSpec>(RequestContext context, EngineState state,
        IReadOnlyList<(int Id, TSpec Spec)> specs, Func<(int Id, TSpec Spec), DapBreakpoint> unbound,
        Func<TargetProcess, Task<IReadOnlyList<Breakpoint>>> apply)
    {
        var body = new BreakpointsResponseBody();
        if (state.Debuggee is not { HasEnded: false } debuggee)
        {
            body.Breakpoints.AddRange(specs.Select(unbound));
            return body;
        }
        var created = await debuggee.WithEventsHeldAsync(context, () => apply(debuggee.Process)).ConfigureAwait(false);
        body.Breakpoints.AddRange(created.Select(b => BreakpointTranslation.ToDap(b, state)));
        return body;
    }

    /// <summary>Applies every breakpoint the client sent before the process existed.</summary>
    public static async Task ApplyAllAsync(EngineState state, TargetProcess process)
    {
        foreach (var (path, specs) in state.SourceBreakpoints.ToList())
            await ApplySourceAsync(state, process, path, specs).ConfigureAwait(false);
        if (state.FunctionBreakpoints.Count > 0)
            await ApplyFunctionsAsync(state, process, state.FunctionBreakpoints).ConfigureAwait(false);
        if (state.InstructionBreakpoints.Count > 0)
            await ApplyInstructionsAsync(state, process, state.InstructionBreakpoints).ConfigureAwait(false);
    }

    private static void Bind(EngineState state, IReadOnlyList<Breakpoint> created, IReadOnlyList<int> clientIds)
    {
        for (int i = 0; i < created.Count && i < clientIds.Count; i++)
            state.ClientIdOfEngineId[created[i].Id] = clientIds[i];
    }
}
