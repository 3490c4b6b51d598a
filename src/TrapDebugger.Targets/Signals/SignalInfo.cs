namespace TrapDebugger.Targets;

/// <summary>The part of the kernel's <c>siginfo_t</c> that explains a stop: which signal, how it was raised, which
/// address faulted or who sent it.</summary>
/// <param name="Signal">The signal number (si_signo).</param>
/// <param name="Code">The signal code (si_code): positive when the kernel raised it (e.g. ILL_ILLOPN, SEGV_MAPERR), ≤ 0
/// when a process sent it (SI_USER, SI_TKILL, …).</param>
/// <param name="Address">The fault address (si_addr) for SIGILL, SIGTRAP, SIGBUS, SIGFPE and SIGSEGV raised by the kernel, else 0.</param>
/// <param name="SenderPid">The sending process (si_pid) when a process sent the signal.</param>
/// <param name="SenderUid">The sending user (si_uid) when a process sent the signal.</param>
public readonly record struct SignalInfo(int Signal, int Code, ulong Address = 0, int? SenderPid = null, int? SenderUid = null)
{
    /// <summary>True when a process sent the signal (kill, tgkill, sigqueue, …) rather than the kernel raising it for a fault.</summary>
    public bool IsSentByProcess => Code <= 0;

    /// <summary>True for the synchronous fault signals raised by the kernel, whose si_addr names the faulting address.</summary>
    public bool IsFault => !IsSentByProcess && Signals.HasFaultAddress(Signal);

    /// <inheritdoc/>
    public override string ToString() =>
        IsFault ? $"{Signals.Name(Signal)} (si_code {Code}) at 0x{Address:x}"
        : IsSentByProcess ? $"{Signals.Name(Signal)} sent by pid {SenderPid ?? 0} (uid {SenderUid ?? 0})"
        : $"{Signals.Name(Signal)} (si_code {Code})";
}
