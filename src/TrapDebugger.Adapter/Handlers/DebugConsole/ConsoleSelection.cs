using TrapDebugger.Engine.Events;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>The frame <c>frame N</c>, <c>up</c> and <c>down</c> selected, which later commands use as gdb's do.</summary>
/// <remarks>The selection belongs to one stop and to the frame the client had focused when it was made: once the
/// program runs again, or the user focuses another frame in the Call Stack, commands follow the client again.</remarks>
public sealed class ConsoleSelection
{
    private readonly Lock gate = new();
    private (StopInfo Stop, int? ClientFrameId, int FrameId)? selected;

    /// <summary>Selects <paramref name="frameId"/> for the rest of <paramref name="stop"/> while the client stays on <paramref name="clientFrameId"/>.</summary>
    public void Select(StopInfo stop, int? clientFrameId, int frameId)
    {
        lock (gate)
            selected = (stop, clientFrameId, frameId);
    }

    /// <summary>The selected frame id when it still applies, else null.</summary>
    public int? Current(StopInfo? stop, int? clientFrameId)
    {
        lock (gate)
            return selected is { } s && stop is not null && ReferenceEquals(s.Stop, stop) && s.ClientFrameId == clientFrameId ? s.FrameId : null;
    }
}
