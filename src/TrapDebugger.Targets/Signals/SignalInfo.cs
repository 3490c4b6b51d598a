using System.Buffers.Binary;

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

    /// <summary>The size of the kernel's siginfo_t on x86-64 (what PTRACE_GETSIGINFO fills and a core's NT_SIGINFO holds).</summary>
    public const int SiginfoSize = 128;

    /// <summary>Decodes a siginfo_t: si_signo, si_errno, si_code, then the union (si_addr for a fault raised by the kernel,
    /// si_pid and si_uid for a signal a process sent).</summary>
    /// <param name="siginfo">At least the first 24 bytes of the structure.</param>
    public static SignalInfo Decode(ReadOnlySpan<byte> siginfo)
    {
        var signo = BinaryPrimitives.ReadInt32LittleEndian(siginfo);            // si_signo
        var code = BinaryPrimitives.ReadInt32LittleEndian(siginfo[8..]);        // si_code
        if (code > 0 && Signals.HasFaultAddress(signo))
            return new SignalInfo(signo, code, BinaryPrimitives.ReadUInt64LittleEndian(siginfo[16..])); // si_addr
        if (code <= 0)
            return new SignalInfo(signo, code, 0, BinaryPrimitives.ReadInt32LittleEndian(siginfo[16..]), BinaryPrimitives.ReadInt32LittleEndian(siginfo[20..])); // si_pid, si_uid
        return new SignalInfo(signo, code);
    }

    /// <summary>Encodes the signal as a siginfo_t of <see cref="SiginfoSize"/> bytes (the fields <see cref="Decode"/> reads; the rest zero).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[SiginfoSize];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Signal);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Code);
        if (IsSentByProcess)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), SenderPid ?? 0);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), SenderUid ?? 0);
        }
        else
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), Address);
        return bytes;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsFault ? $"{Signals.Name(Signal)} (si_code {Code}) at 0x{Address:x}"
        : IsSentByProcess ? $"{Signals.Name(Signal)} sent by pid {SenderPid ?? 0} (uid {SenderUid ?? 0})"
        : $"{Signals.Name(Signal)} (si_code {Code})";
}
