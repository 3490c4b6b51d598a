using System.Buffers.Binary;

namespace TrapDebugger.Elf.Core;

/// <summary>The signal that stopped a thread as NT_SIGINFO stores it: the kernel's siginfo_t (128 bytes), raw bytes kept.</summary>
public sealed record ElfSigInfo(byte[] Bytes)
{
    /// <summary>The size of siginfo_t.</summary>
    public const int Size = 128;

    /// <summary>The signal number (si_signo).</summary>
    public int SignalNumber => BinaryPrimitives.ReadInt32LittleEndian(Bytes);

    /// <summary>The error number (si_errno).</summary>
    public int Errno => BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(4));

    /// <summary>Why the signal was sent (si_code: ILL_ILLOPN, SEGV_MAPERR, SI_USER, …).</summary>
    public int Code => BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(8));

    /// <summary>The faulting address for SIGILL, SIGFPE, SIGSEGV, SIGBUS and SIGTRAP (si_addr).</summary>
    public ulong Address => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(16));

    /// <summary>The sending process for a signal sent by kill (si_pid).</summary>
    public int SenderPid => BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(16));

    /// <summary>True when the signal came from the hardware (a fault) rather than from a process: si_code greater than zero.</summary>
    public bool IsFault => Code > 0 && Signals.HasFaultAddress(SignalNumber);

    /// <summary>The signal as the target vocabulary states it (the same decoding a live stop's PTRACE_GETSIGINFO gets).</summary>
    public SignalInfo ToSignalInfo() => SignalInfo.Decode(Bytes);

    /// <summary>Reads the structure; <paramref name="bytes"/> must hold at least <see cref="Size"/> bytes.</summary>
    public static ElfSigInfo Read(ReadOnlySpan<byte> bytes) => new(bytes[..Size].ToArray());

    /// <summary>A siginfo_t with the given signal, code and address (the other fields zero).</summary>
    public static ElfSigInfo Create(int signal, int code, ulong address) => From(new SignalInfo(signal, code, address));

    /// <summary>The siginfo_t of <paramref name="signal"/>.</summary>
    public static ElfSigInfo From(SignalInfo signal) => new(signal.Encode());
}
