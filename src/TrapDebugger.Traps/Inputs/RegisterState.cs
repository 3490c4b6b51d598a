using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>The general-purpose registers, instruction pointer, flags and segment bases of a stopped x86-64 thread.</summary>
/// <remarks>Field names follow the kernel's <c>struct user_regs_struct</c>, so the engine can copy them one to one.</remarks>
public sealed record RegisterState
{
    /// <summary>The value of rax.</summary>
    public ulong Rax { get; init; }
    /// <summary>The value of rbx.</summary>
    public ulong Rbx { get; init; }
    /// <summary>The value of rcx.</summary>
    public ulong Rcx { get; init; }
    /// <summary>The value of rdx.</summary>
    public ulong Rdx { get; init; }
    /// <summary>The value of rsi.</summary>
    public ulong Rsi { get; init; }
    /// <summary>The value of rdi.</summary>
    public ulong Rdi { get; init; }
    /// <summary>The value of rbp.</summary>
    public ulong Rbp { get; init; }
    /// <summary>The value of rsp.</summary>
    public ulong Rsp { get; init; }
    /// <summary>The value of r8.</summary>
    public ulong R8 { get; init; }
    /// <summary>The value of r9.</summary>
    public ulong R9 { get; init; }
    /// <summary>The value of r10.</summary>
    public ulong R10 { get; init; }
    /// <summary>The value of r11.</summary>
    public ulong R11 { get; init; }
    /// <summary>The value of r12.</summary>
    public ulong R12 { get; init; }
    /// <summary>The value of r13.</summary>
    public ulong R13 { get; init; }
    /// <summary>The value of r14.</summary>
    public ulong R14 { get; init; }
    /// <summary>The value of r15.</summary>
    public ulong R15 { get; init; }
    /// <summary>The instruction pointer (for a fault, the address of the faulting instruction).</summary>
    public ulong Rip { get; init; }
    /// <summary>The flags register.</summary>
    public ulong Rflags { get; init; }
    /// <summary>The fs segment base (thread pointer on x86-64 Linux).</summary>
    public ulong FsBase { get; init; }
    /// <summary>The gs segment base.</summary>
    public ulong GsBase { get; init; }

    /// <summary>The value of the 64-bit register <paramref name="full"/> (rip included), or null for a register this state does not hold.</summary>
    public ulong? GetFull(Register full) => full switch
    {
        Register.RAX => Rax, Register.RBX => Rbx, Register.RCX => Rcx, Register.RDX => Rdx,
        Register.RSI => Rsi, Register.RDI => Rdi, Register.RBP => Rbp, Register.RSP => Rsp,
        Register.R8 => R8, Register.R9 => R9, Register.R10 => R10, Register.R11 => R11,
        Register.R12 => R12, Register.R13 => R13, Register.R14 => R14, Register.R15 => R15,
        Register.RIP => Rip,
        _ => null,
    };

    /// <summary>The value of any general-purpose register view (al, ah, ax, eax, rax, r8d, …), zero-extended, or null if unknown.</summary>
    public ulong? Get(Register register)
    {
        if (register == Register.None) return null;
        if (register is Register.AH or Register.CH or Register.DH or Register.BH)
        {
            var parent = register switch { Register.AH => Rax, Register.CH => Rcx, Register.DH => Rdx, _ => Rbx };
            return (parent >> 8) & 0xFF;
        }
        if (!register.IsGPR() && register != Register.RIP && register != Register.EIP) return null;
        var full = GetFull(register.GetFullRegister());
        if (full is not { } value) return null;
        return register.GetSize() switch
        {
            1 => value & 0xFF,
            2 => value & 0xFFFF,
            4 => value & 0xFFFF_FFFF,
            _ => value,
        };
    }

    /// <summary>Returns a copy with the 64-bit register <paramref name="full"/> set to <paramref name="value"/>.</summary>
    public RegisterState With(Register full, ulong value) => full switch
    {
        Register.RAX => this with { Rax = value }, Register.RBX => this with { Rbx = value },
        Register.RCX => this with { Rcx = value }, Register.RDX => this with { Rdx = value },
        Register.RSI => this with { Rsi = value }, Register.RDI => this with { Rdi = value },
        Register.RBP => this with { Rbp = value }, Register.RSP => this with { Rsp = value },
        Register.R8 => this with { R8 = value }, Register.R9 => this with { R9 = value },
        Register.R10 => this with { R10 = value }, Register.R11 => this with { R11 = value },
        Register.R12 => this with { R12 = value }, Register.R13 => this with { R13 = value },
        Register.R14 => this with { R14 = value }, Register.R15 => this with { R15 = value },
        Register.RIP => this with { Rip = value },
        _ => throw new ArgumentException($"{full} is not a 64-bit general-purpose register", nameof(full)),
    };
}
