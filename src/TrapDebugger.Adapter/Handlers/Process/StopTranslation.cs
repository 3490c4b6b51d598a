using TrapDebugger.Engine.Events;
using TrapDebugger.Protocol.Events;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>An engine stop as a DAP <c>stopped</c> event.</summary>
public static class StopTranslation
{
    /// <summary>The event body for <paramref name="stop"/>: the diagnosis in one line as <c>description</c>, its kind as <c>text</c>.</summary>
    public static StoppedEventBody ToEventBody(StopInfo stop, EngineState state)
    {
        var ids = stop.HitBreakpointIds.Select(id => state.ClientIdOfEngineId.TryGetValue(id, out var c) ? c : id).ToList();
        string description = stop.Diagnosis is { } diagnosis ? Exceptions.ExceptionInfoHandler.Headline(diagnosis, state.Paths) : stop.Cause switch
        {
            StopCause.Breakpoint or StopCause.FunctionBreakpoint or StopCause.InstructionBreakpoint when ids.Count > 0 =>
                $"{(ids.Count == 1 ? "breakpoint" : "breakpoints")} {string.Join(", ", ids)}",
            StopCause.DataBreakpoint when ids.Count > 0 => $"data breakpoint {string.Join(", ", ids)}: {stop.Description}",
            _ => stop.Description,
        };
        return new StoppedEventBody
        {
            Reason = ReasonOf(stop.Cause),
            Description = description,
            Text = stop.Diagnosis?.ShortText,
            ThreadId = stop.ThreadId,
            AllThreadsStopped = true,
            HitBreakpointIds = ids.Count > 0 ? ids : null,
        };
    }

    /// <summary>The stopped event's <c>reason</c> for a stop of cause <paramref name="cause"/>.</summary>
    public static string ReasonOf(StopCause cause) => cause switch
    {
        StopCause.Entry => "entry",
        StopCause.Attach => "pause",
        StopCause.Breakpoint => "breakpoint",
        StopCause.FunctionBreakpoint => "function breakpoint",
        StopCause.InstructionBreakpoint => "instruction breakpoint",
        StopCause.Step => "step",
        StopCause.Pause => "pause",
        StopCause.Exception => "exception",
        StopCause.Exec => "entry",
        StopCause.Goto => "goto",
        StopCause.DataBreakpoint => "data breakpoint",
        _ => "pause",
    };
}
