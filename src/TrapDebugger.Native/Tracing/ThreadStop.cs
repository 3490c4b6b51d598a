
namespace TrapDebugger.Native.Tracing;

/// <summary>A reportable stop of one thread, before it is turned into a <see cref="ProcessStopped"/> event.
/// Internal stops (the loader's r_brk) are handled by the tracer itself and never shown to the client; a breakpoint hit
/// that no insertion wants reported is passed over (the thread runs on past the breakpoint).</summary>
internal sealed record ThreadStop(int Tid, StopReason Reason, SignalInfo? Signal, ulong Address, WatchpointHit? Watch, bool Internal = false,
    bool PassOver = false, int Steps = 0);
