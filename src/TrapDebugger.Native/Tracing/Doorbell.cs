using System.Runtime.InteropServices;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Tracing;

/// <summary>A real-time signal sent to one thread of this process to end its blocking wait4 with EINTR, so a tracer
/// thread can block in wait4 for its tracees and still be reached by requests.</summary>
/// <remarks>
/// A signal interrupts a system call only when it has a handler installed without SA_RESTART; what the handler does does
/// not matter. It must be native code that is safe at any instruction of any thread: a managed handler would enter the
/// runtime from inside whatever the thread was running (Native AOT fails fast when that thread is already in managed
/// code). libc's <c>abs</c> reads its argument and returns, so it serves as the handler. Installed once per process, for
/// the first real-time signal near SIGRTMAX that nobody else has claimed.
/// </remarks>
internal static unsafe class Doorbell
{
    private static readonly Lazy<int> InstalledSignal = new(Install);

    /// <summary>The signal number, installing its handler on first use (0 when no signal could be claimed).</summary>
    public static int Signal => InstalledSignal.Value;

    /// <summary>Rings thread <paramref name="tid"/> of this process.</summary>
    public static void Ring(int tid)
    {
        if (Signal != 0 && tid != 0) LibC.TgKill(LibC.GetPid(), tid, Signal);
    }

    private static int Install()
    {
        var libc = NativeLibrary.Load("libc.so.6");
        var noOp = NativeLibrary.GetExport(libc, "abs");
        for (var signal = Signals.SIGRTMAX - 2; signal > Signals.SIGRTMAX - 12; signal--)
        {
            SigAction old = default;
            if (LibC.SigAction(signal, null, &old) != 0 || old.Handler != 0) continue;
            var action = new SigAction { Handler = noOp, Flags = 0 };
            if (LibC.SigAction(signal, &action, null) == 0) return signal;
        }
        return 0;
    }
}
