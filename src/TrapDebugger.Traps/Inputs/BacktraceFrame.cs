namespace TrapDebugger.Traps;

/// <summary>One frame of the stopped thread's backtrace, inline frames included (as lldb lists them).</summary>
/// <param name="Pc">The frame's code address (for caller frames, the return address).</param>
/// <param name="Function">The qualified, demangled function name, or null when unknown.</param>
/// <param name="Location">The source position of the frame, or null.</param>
/// <param name="IsInlined">True for a frame that is an inlined call inside the physical frame that follows it.</param>
/// <param name="Module">The path of the module holding the frame's code, when known.</param>
public sealed record BacktraceFrame(ulong Pc, string? Function, SourceLocation? Location, bool IsInlined = false, string? Module = null)
{
    /// <summary>True when the frame's code is in the C library or the dynamic loader (libc.so.6, ld-linux), whose frames a stop
    /// inside them looks past to the program's call.</summary>
    public bool IsInSystemLibrary => Module is { } m && Path.GetFileName(m) is var name
        && (name.StartsWith("libc.so", StringComparison.Ordinal) || name.StartsWith("ld-linux", StringComparison.Ordinal)
            || name.StartsWith("libm.so", StringComparison.Ordinal) || name.StartsWith("libpthread.so", StringComparison.Ordinal));
}
