namespace TrapDebugger.Traps;

/// <summary>One frame of the stopped thread's backtrace, inline frames included (as lldb lists them).</summary>
/// <param name="Pc">The frame's code address (for caller frames, the return address).</param>
/// <param name="Function">The qualified, demangled function name, or null when unknown.</param>
/// <param name="Location">The source position of the frame, or null.</param>
/// <param name="IsInlined">True for a frame that is an inlined call inside the physical frame that follows it.</param>
public sealed record BacktraceFrame(ulong Pc, string? Function, SourceLocation? Location, bool IsInlined = false);
