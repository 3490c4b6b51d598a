using System.Buffers.Binary;

namespace TrapDebugger.Native.Interop;

/// <summary>The kernel's siginfo_t (128 bytes on x86-64) as PTRACE_GETSIGINFO returns it.</summary>
internal static class SigInfo
{
    /// <summary>Decodes the first 32 bytes: si_signo, si_errno, si_code, then the union (si_addr for a fault raised by
    /// the kernel, si_pid and si_uid for a signal a process sent).</summary>
    public static SignalInfo Decode(ReadOnlySpan<byte> raw)
    {
        var signo = BinaryPrimitives.ReadInt32LittleEndian(raw);            // si_signo
        var code = BinaryPrimitives.ReadInt32LittleEndian(raw[8..]);        // si_code
        if (code > 0 && Signals.HasFaultAddress(signo))
            return new SignalInfo(signo, code, BinaryPrimitives.ReadUInt64LittleEndian(raw[16..])); // si_addr
        if (code <= 0)
            return new SignalInfo(signo, code, 0, BinaryPrimitives.ReadInt32LittleEndian(raw[16..]), BinaryPrimitives.ReadInt32LittleEndian(raw[20..])); // si_pid, si_uid
        return new SignalInfo(signo, code);
    }
}
