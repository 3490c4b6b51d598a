using TrapDebugger.Adapter.Handlers.Process;
using DapBreakpoint = TrapDebugger.Protocol.Types.Breakpoint;
using EngineBreakpoint = TrapDebugger.Engine.Breakpoints.Breakpoint;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary>Engine breakpoints as DAP breakpoints, under the ids the client knows.</summary>
public static class BreakpointTranslation
{
    /// <summary>Describes <paramref name="breakpoint"/>: verified with its resolved line, or pending with the reason.</summary>
    public static DapBreakpoint ToDap(EngineBreakpoint breakpoint, EngineState state)
    {
        var first = breakpoint.Locations.FirstOrDefault();
        var location = breakpoint.Locations.Select(l => l.Location).FirstOrDefault(l => l is not null);
        return new DapBreakpoint
        {
            Id = state.ClientIdOfEngineId.TryGetValue(breakpoint.Id, out var id) ? id : breakpoint.Id,
            Verified = breakpoint.IsVerified,
            Message = breakpoint.Message,
            Reason = breakpoint.IsVerified ? null : "pending",
            Source = SourceTranslation.ToSource(breakpoint.File ?? location?.File, state.Paths),
            Line = breakpoint.ResolvedLine ?? (location is { } l ? (int)l.Line : breakpoint.Kind == Engine.Breakpoints.BreakpointKind.SourceLine ? breakpoint.Line : null),
            InstructionReference = first is null ? null : SourceTranslation.Address(first.Address),
        };
    }

    /// <summary>A breakpoint the client set while no process exists: pending until launch or attach.</summary>
    public static DapBreakpoint Unbound(int id, int? line, string? path) => new()
    {
        Id = id,
        Verified = false,
        Reason = "pending",
        Message = "pending: the program has not started",
        Line = line,
        Source = SourceTranslation.ClientSource(path),
    };
}
