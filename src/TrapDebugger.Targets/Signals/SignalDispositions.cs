namespace TrapDebugger.Targets;

/// <summary>What a process does with each signal: the ones it catches with a handler, ignores or blocks (the SigCgt,
/// SigIgn and SigBlk masks of /proc/PID/task/TID/status, bit n-1 for signal n).</summary>
/// <param name="Caught">Signals with a handler installed.</param>
/// <param name="Ignored">Signals set to SIG_IGN.</param>
/// <param name="Blocked">Signals the thread asked about blocks.</param>
public readonly record struct SignalDispositions(ulong Caught, ulong Ignored, ulong Blocked = 0)
{
    /// <summary>Nothing known: every signal takes its default action.</summary>
    public static SignalDispositions Unknown => default;

    /// <summary>True when the program has a handler for <paramref name="signal"/>.</summary>
    public bool Catches(int signal) => (Caught & Bit(signal)) != 0;

    /// <summary>True when the program ignores <paramref name="signal"/>.</summary>
    public bool Ignores(int signal) => (Ignored & Bit(signal)) != 0;

    /// <summary>True when the thread asked about blocks <paramref name="signal"/>.</summary>
    public bool Blocks(int signal) => (Blocked & Bit(signal)) != 0;

    /// <summary>True when the program catches or ignores <paramref name="signal"/>, so its default action does not apply.</summary>
    public bool Handles(int signal) => Catches(signal) || Ignores(signal);

    private static ulong Bit(int signal) => signal is >= 1 and <= 64 ? 1UL << (signal - 1) : 0;
}
