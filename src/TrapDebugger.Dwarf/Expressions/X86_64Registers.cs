namespace TrapDebugger.Dwarf.Expressions;

/// <summary>The DWARF register numbers of the x86-64 psABI and the names LLVM's tools print for them.</summary>
public static class X86_64Registers
{
    /// <summary>The DWARF numbers of the general registers (note the psABI order: rdx before rcx).</summary>
    public const int Rax = 0, Rdx = 1, Rcx = 2, Rbx = 3, Rsi = 4, Rdi = 5, Rbp = 6, Rsp = 7;

    /// <summary>Column 16: the return address (RIP in the caller).</summary>
    public const int ReturnAddress = 16;

    private static readonly string[] Low =
        ["RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "RIP"];

    /// <summary>The upper-case register name llvm-dwarfdump prints for DWARF register <paramref name="number"/>.</summary>
    public static string Name(ulong number) => number switch
    {
        < 17 => Low[number],
        <= 32 => $"XMM{number - 17}",
        <= 40 => $"ST{number - 33}",
        <= 48 => $"MM{number - 41}",
        _ => $"reg{number}",
    };
}
