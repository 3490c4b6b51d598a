namespace TrapDebugger.Native.Events;

/// <summary>The fields of a siginfo_t that say why a signal was raised: who sent it or which address faulted.</summary>
/// <param name="Signo">si_signo: the signal number.</param>
/// <param name="Code">si_code: how it was raised (e.g. ILL_ILLOPN, SEGV_MAPERR, SI_USER, SI_TKILL).</param>
/// <param name="Errno">si_errno.</param>
/// <param name="Address">si_addr for faults (SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP); 0 otherwise.</param>
/// <param name="SenderPid">si_pid for signals sent by a process (kill, tgkill, sigqueue); 0 otherwise.</param>
/// <param name="SenderUid">si_uid for signals sent by a process; 0 otherwise.</param>
public readonly record struct SignalInfo(int Signo, int Code, int Errno, ulong Address, int SenderPid, int SenderUid)
{
    /// <summary>True when the signal came from kill/tgkill/sigqueue (si_code ≤ 0) rather than from the kernel.</summary>
    public bool IsSentByProcess => Code <= 0;

    /// <summary>True for the synchronous fault signals whose si_addr names the faulting address.</summary>
    public bool IsFault => !IsSentByProcess && Signo is 4 or 5 or 7 or 8 or 11;

    /// <summary>Decodes the first 32 bytes of a kernel siginfo_t.</summary>
    internal static SignalInfo FromNative(ReadOnlySpan<byte> raw)
    {
        var signo = BitConverter.ToInt32(raw);
        var errno = BitConverter.ToInt32(raw[4..]);
        var code = BitConverter.ToInt32(raw[8..]);
        var fault = code > 0 && signo is 4 or 5 or 7 or 8 or 11;
        return fault
            ? new SignalInfo(signo, code, errno, BitConverter.ToUInt64(raw[16..]), 0, 0)
            : new SignalInfo(signo, code, errno, 0, BitConverter.ToInt32(raw[16..]), BitConverter.ToInt32(raw[20..]));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsFault ? $"{SignalNames.Of(Signo)} (si_code {Code}) at 0x{Address:x}"
        : IsSentByProcess ? $"{SignalNames.Of(Signo)} sent by pid {SenderPid} (uid {SenderUid})"
        : $"{SignalNames.Of(Signo)} (si_code {Code})";
}
