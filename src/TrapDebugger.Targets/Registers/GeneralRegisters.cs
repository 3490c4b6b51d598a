using System.Runtime.InteropServices;

namespace TrapDebugger.Targets;

/// <summary>The general registers of one thread, laid out exactly as the kernel's struct user_regs_struct.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GeneralRegisters
{
    public ulong R15;     // r15
    public ulong R14;     // r14
    public ulong R13;     // r13
    public ulong R12;     // r12
    public ulong Rbp;     // rbp
    public ulong Rbx;     // rbx
    public ulong R11;     // r11
    public ulong R10;     // r10
    public ulong R9;      // r9
    public ulong R8;      // r8
    public ulong Rax;     // rax
    public ulong Rcx;     // rcx
    public ulong Rdx;     // rdx
    public ulong Rsi;     // rsi
    public ulong Rdi;     // rdi
    public ulong OrigRax; // orig_rax
    public ulong Rip;     // rip
    public ulong Cs;      // cs
    public ulong Eflags;  // eflags
    public ulong Rsp;     // rsp
    public ulong Ss;      // ss
    public ulong FsBase;  // fs_base
    public ulong GsBase;  // gs_base
    public ulong Ds;      // ds
    public ulong Es;      // es
    public ulong Fs;      // fs
    public ulong Gs;      // gs

    /// <summary>The value of the register named as in the DWARF x86-64 register numbering (0 = rax … 16 = rip).</summary>
    public readonly ulong GetByDwarfNumber(int number) => number switch
    {
        0 => Rax, 1 => Rdx, 2 => Rcx, 3 => Rbx, 4 => Rsi, 5 => Rdi, 6 => Rbp, 7 => Rsp,
        8 => R8, 9 => R9, 10 => R10, 11 => R11, 12 => R12, 13 => R13, 14 => R14, 15 => R15, 16 => Rip,
        _ => throw new ArgumentOutOfRangeException(nameof(number), number, "DWARF register numbers 0-16 are general registers"),
    };
}
