namespace TrapDebugger.Traps;

/// <summary>The frame the user should see selected when the thread stops.</summary>
/// <param name="FrameIndex">The index into the backtrace (inline frames included); when no backtrace was given, into the inline chain at the pc.</param>
/// <param name="Function">The frame's function name.</param>
/// <param name="Location">The source position to show.</param>
/// <param name="Reason">Why this frame was chosen, e.g. "caller of the verbose trap" or "called __assert_fail".</param>
public sealed record LandingFrame(int FrameIndex, string? Function, SourceLocation? Location, string Reason);
