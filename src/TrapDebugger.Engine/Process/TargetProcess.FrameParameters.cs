using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Process;

public sealed partial class TargetProcess
{
    /// <summary>The formal parameters of frame <paramref name="frameId"/> in declaration order, values in
    /// <paramref name="format"/>: what a client shows after a function's name in the call stack.</summary>
    /// <exception cref="EngineException">The frame is not valid at this stop.</exception>
    public async Task<IReadOnlyList<FrameParameter>> GetFrameParametersAsync(int frameId, ValueFormat format = ValueFormat.Natural)
    {
        RequireStopped();
        var scope = await GetScopeAsync(GetFrame(frameId)).ConfigureAwait(false);
        var formatter = Formatter(scope);
        return scope.Locals.Where(v => v.IsArgument)
            .Select(v => new FrameParameter(v.Name, v.Value.Type.DisplayName, formatter.Format(v.Value, format)))
            .ToList();
    }
}
