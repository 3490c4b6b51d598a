using System.Buffers.Binary;
using System.Text;

namespace TrapDebugger.Elf.Core;

/// <summary>The process as NT_PRPSINFO describes it: the kernel's struct elf_prpsinfo on x86-64 (136 bytes).</summary>
public readonly record struct ElfPrPsInfo(
    byte State,        // pr_state
    byte StateName,    // pr_sname
    byte Zombie,       // pr_zomb
    sbyte Nice,        // pr_nice
    ulong Flags,       // pr_flag
    uint Uid,          // pr_uid
    uint Gid,          // pr_gid
    int Pid,           // pr_pid
    int ParentPid,     // pr_ppid
    int ProcessGroup,  // pr_pgrp
    int Session,       // pr_sid
    string FileName,   // pr_fname[16]
    string Arguments)  // pr_psargs[80]
{
    /// <summary>The size of struct elf_prpsinfo on x86-64.</summary>
    public const int Size = 136;

    private const int FileNameOffset = 40, FileNameLength = 16, ArgumentsOffset = 56, ArgumentsLength = 80;

    /// <summary>Reads the structure; <paramref name="bytes"/> must hold at least <see cref="Size"/> bytes.</summary>
    public static ElfPrPsInfo Read(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes[..Size], "NT_PRPSINFO");
        byte state = r.ReadU8(), sname = r.ReadU8(), zomb = r.ReadU8();
        sbyte nice = r.ReadI8();
        r.Skip(4);
        ulong flags = r.ReadU64();
        uint uid = r.ReadU32(), gid = r.ReadU32();
        int pid = r.ReadI32(), ppid = r.ReadI32(), pgrp = r.ReadI32(), sid = r.ReadI32();
        return new ElfPrPsInfo(state, sname, zomb, nice, flags, uid, gid, pid, ppid, pgrp, sid,
            FixedString(bytes.Slice(FileNameOffset, FileNameLength)), FixedString(bytes.Slice(ArgumentsOffset, ArgumentsLength)));
    }

    /// <summary>Writes the structure into the first <see cref="Size"/> bytes of <paramref name="bytes"/>; longer names are cut to the field.</summary>
    public void Write(Span<byte> bytes)
    {
        var b = bytes[..Size];
        b.Clear();
        b[0] = State;
        b[1] = StateName;
        b[2] = Zombie;
        b[3] = (byte)Nice;
        BinaryPrimitives.WriteUInt64LittleEndian(b[8..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b[16..], Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(b[20..], Gid);
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], Pid);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], ParentPid);
        BinaryPrimitives.WriteInt32LittleEndian(b[32..], ProcessGroup);
        BinaryPrimitives.WriteInt32LittleEndian(b[36..], Session);
        WriteFixed(FileName, b.Slice(FileNameOffset, FileNameLength));
        WriteFixed(Arguments, b.Slice(ArgumentsOffset, ArgumentsLength));
    }

    // A name that fills the whole field has no NUL, as gdb writes pr_psargs; readers stop at the field's end.
    private static void WriteFixed(string text, Span<byte> field)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes.AsSpan(0, Math.Min(bytes.Length, field.Length)).CopyTo(field);
    }

    private static string FixedString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? field[..nul] : field);
    }
}
