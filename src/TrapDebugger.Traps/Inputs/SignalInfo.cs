namespace TrapDebugger.Traps;

/// <summary>The part of the kernel's <c>siginfo_t</c> that explains a stop.</summary>
/// <param name="Signal">The signal number (si_signo).</param>
/// <param name="Code">The signal code (si_code): positive for kernel-generated faults, ≤ 0 for signals sent by a process.</param>
/// <param name="Address">The fault address (si_addr) for SIGILL/SIGSEGV/SIGBUS/SIGFPE, else 0.</param>
/// <param name="SenderPid">The sending process (si_pid) when a process sent the signal.</param>
/// <param name="SenderUid">The sending user (si_uid) when a process sent the signal.</param>
public readonly record struct SignalInfo(int Signal, int Code, ulong Address = 0, int? SenderPid = null, int? SenderUid = null)
{
    /// <summary>True when a process sent the signal (kill, tgkill, sigqueue, …) rather than the kernel raising it for a fault.</summary>
    public bool IsSentByProcess => Code <= 0;
}
