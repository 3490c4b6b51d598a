using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Process;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary>Applies the client's breakpoints to the engine and records which engine breakpoint each client id became.</summary>
public static class BreakpointBinding
{
    /// <summary>Replaces the breakpoints of <paramref name="path"/>.</summary>
    public static async Task<IReadOnlyList<Breakpoint>> ApplySourceAsync(EngineState state, TargetProcess process, string path,
        IReadOnlyList<(int Id, SourceBreakpointSpec Spec)> specs)
    {
        var created = await process.SetSourceBreakpointsAsync(path, specs.Select(s => s.Spec).ToList()).ConfigureAwait(false);
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
