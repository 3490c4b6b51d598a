using System.Runtime.InteropServices;

namespace TrapDebugger.Targets;

/// <summary>The general registers of one thread, laid out exactly as the kernel's struct user_regs_struct (what
/// PTRACE_GETREGS fills and a core's NT_PRSTATUS stores as pr_reg, elf_gregset_t).</summary>
/// <remarks>The layout is the kernel's, so the 216 bytes are read and written as one block.</remarks>
[StructLayout(LayoutKind.Sequential)]
public struct GeneralRegisters
{
    /// <summary>The size of user_regs_struct on x86-64.</summary>
    public const int Size = 27 * 8;

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

    /// <summary>Reads the registers from the first <see cref="Size"/> bytes of <paramref name="bytes"/>.</summary>
    public static GeneralRegisters Read(ReadOnlySpan<byte> bytes) => MemoryMarshal.Read<GeneralRegisters>(bytes[..Size]);

    /// <summary>Writes the registers into the first <see cref="Size"/> bytes of <paramref name="bytes"/>.</summary>
    public readonly void Write(Span<byte> bytes) => MemoryMarshal.Write(bytes[..Size], in this);

    /// <summary>The registers by their names as gdb and lldb print them, in user_regs_struct order.</summary>
    public readonly IReadOnlyList<(string Name, ulong Value)> Named =>
    [
        ("r15", R15), ("r14", R14), ("r13", R13), ("r12", R12), ("rbp", Rbp), ("rbx", Rbx), ("r11", R11), ("r10", R10),
        ("r9", R9), ("r8", R8), ("rax", Rax), ("rcx", Rcx), ("rdx", Rdx), ("rsi", Rsi), ("rdi", Rdi), ("orig_rax", OrigRax),
        ("rip", Rip), ("cs", Cs), ("eflags", Eflags), ("rsp", Rsp), ("ss", Ss), ("fs_base", FsBase), ("gs_base", GsBase),
        ("ds", Ds), ("es", Es), ("fs", Fs), ("gs", Gs),
    ];
}
