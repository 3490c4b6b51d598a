using System.Buffers.Binary;

namespace TrapDebugger.Elf.Core;

/// <summary>One thread's status as NT_PRSTATUS stores it: the kernel's struct elf_prstatus on x86-64 (336 bytes).</summary>
public readonly record struct ElfPrStatus(
    int SignalNumber,    // pr_info.si_signo
    int SignalCode,      // pr_info.si_code
    int SignalErrno,     // pr_info.si_errno
    short CurrentSignal, // pr_cursig
    ulong PendingSignals,// pr_sigpend
    ulong HeldSignals,   // pr_sighold
    int Pid,             // pr_pid (the thread id)
    int ParentPid,       // pr_ppid
    int ProcessGroup,    // pr_pgrp
    int Session,         // pr_sid
    GeneralRegisters Registers,  // pr_reg
    int FpValid)         // pr_fpvalid
{
    /// <summary>The size of struct elf_prstatus on x86-64.</summary>
    public const int Size = 336;

    private const int RegistersOffset = 112, FpValidOffset = RegistersOffset + GeneralRegisters.Size;

    /// <summary>Reads the structure; <paramref name="bytes"/> must hold at least <see cref="Size"/> bytes.</summary>
    public static ElfPrStatus Read(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes[..Size], "NT_PRSTATUS");
        int signo = r.ReadI32(), code = r.ReadI32(), errno = r.ReadI32();
        short cursig = (short)r.ReadU16();
        r.Skip(2);
        ulong pending = r.ReadU64(), held = r.ReadU64();
        int pid = r.ReadI32(), ppid = r.ReadI32(), pgrp = r.ReadI32(), sid = r.ReadI32();
        return new ElfPrStatus(signo, code, errno, cursig, pending, held, pid, ppid, pgrp, sid,
            GeneralRegisters.Read(bytes[RegistersOffset..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[FpValidOffset..]));
    }

    /// <summary>Writes the structure into the first <see cref="Size"/> bytes of <paramref name="bytes"/> (times are written as zero).</summary>
    public void Write(Span<byte> bytes)
    {
        var b = bytes[..Size];
        b.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b, SignalNumber);
        BinaryPrimitives.WriteInt32LittleEndian(b[4..], SignalCode);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], SignalErrno);
        BinaryPrimitives.WriteInt16LittleEndian(b[12..], CurrentSignal);
        BinaryPrimitives.WriteUInt64LittleEndian(b[16..], PendingSignals);
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], HeldSignals);
        BinaryPrimitives.WriteInt32LittleEndian(b[32..], Pid);
        BinaryPrimitives.WriteInt32LittleEndian(b[36..], ParentPid);
        BinaryPrimitives.WriteInt32LittleEndian(b[40..], ProcessGroup);
        BinaryPrimitives.WriteInt32LittleEndian(b[44..], Session);
        Registers.Write(b[RegistersOffset..]);
        BinaryPrimitives.WriteInt32LittleEndian(b[FpValidOffset..], FpValid);
    }
}
