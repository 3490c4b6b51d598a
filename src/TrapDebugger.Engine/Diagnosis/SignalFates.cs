using TrapDebugger.Engine.Events;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>Decides what a signal would do to the program, from its dispositions in /proc (SigCgt, SigIgn) and the thread's
/// blocked mask (SigBlk), as the kernel would when the debugger passes it on.</summary>
public static class SignalFates
{
    // Signals whose default action is to ignore them (SIGCHLD, SIGURG, SIGWINCH), to continue (SIGCONT) or to stop the
    // process (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU): none of them ends the program.
    private static readonly HashSet<int> NotTerminating = [17, 18, 19, 20, 21, 22, 23, 28];

    // Faults the CPU raises on the thread's own instruction. When the thread blocks or ignores one, the kernel resets it to the
    // default action and delivers it anyway (force_sig_fault), so the program dies.
    private static readonly HashSet<int> Synchronous = [4, 5, 7, 8, 11];

    /// <summary>The fate of <paramref name="signal"/> in thread <paramref name="threadId"/> of process <paramref name="processId"/>;
    /// <see cref="SignalFate.Fatal"/> when the dispositions cannot be read, so a crash is never passed by mistake.</summary>
    public static SignalFate Of(int processId, int threadId, Native.Events.SignalInfo signal)
    {
        var process = ProcFs.Status(processId);
        var thread = ProcFs.ThreadStatus(processId, threadId);
        if (process is null) return SignalFate.Fatal;
        return Of(signal.Signo, signal.Code, process.CaughtSignals, process.IgnoredSignals, thread?.BlockedSignals ?? 0);
    }

    /// <summary>The fate of signal <paramref name="signal"/> with si_code <paramref name="code"/> under the given masks (bit n-1 for signal n).</summary>
    public static SignalFate Of(int signal, int code, ulong caught, ulong ignored, ulong blocked)
    {
        if (signal is <= 0 or > 64) return SignalFate.Fatal;
        var bit = 1UL << (signal - 1);
        var forced = Synchronous.Contains(signal) && code > 0 && ((blocked | ignored) & bit) != 0;
        if (forced) return SignalFate.Fatal;
        if ((caught & bit) != 0) return SignalFate.Handled;
        if ((ignored & bit) != 0 || NotTerminating.Contains(signal)) return SignalFate.Harmless;
        return SignalFate.Fatal;
    }
}
