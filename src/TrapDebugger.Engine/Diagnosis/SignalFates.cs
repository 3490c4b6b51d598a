using TrapDebugger.Engine.Events;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>Decides what a signal would do to the program, from the signals it catches and ignores and those the thread
/// blocks, as the kernel would when the debugger passes it on.</summary>
public static class SignalFates
{
    /// <summary>The fate of <paramref name="signal"/> under <paramref name="dispositions"/>; unknown dispositions leave every
    /// signal at its default action, so a crash is never passed by mistake.</summary>
    public static SignalFate Of(SignalInfo signal, SignalDispositions dispositions)
    {
        int number = signal.Signal;
        if (number is <= 0 or > Signals.SIGRTMAX) return SignalFate.Fatal;
        // A fault the CPU raises on the thread's own instruction, which the thread blocks or ignores: the kernel resets it to
        // the default action and delivers it anyway (force_sig_fault), so the program dies and its handler never runs.
        if (signal.IsFault && (dispositions.Blocks(number) || dispositions.Ignores(number))) return SignalFate.Fatal;
        if (dispositions.Catches(number)) return SignalFate.Handled;
        if (dispositions.Ignores(number) || Signals.DefaultAction(number) is not (SignalAction.Terminate or SignalAction.CoreDump))
            return SignalFate.Harmless;
        return SignalFate.Fatal;
    }
}
