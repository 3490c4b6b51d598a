namespace TrapDebugger.Elf.Core;

/// <summary>The note types (n_type) a Linux x86-64 core carries, from the kernel's include/uapi/linux/elf.h.</summary>
public static class CoreNoteType
{
    public const uint NT_PRSTATUS = 1;
    public const uint NT_FPREGSET = 2;
    public const uint NT_PRPSINFO = 3;
    public const uint NT_AUXV = 6;
    public const uint NT_X86_XSTATE = 0x202;
    public const uint NT_SIGINFO = 0x53494749;
    public const uint NT_FILE = 0x46494c45;

    /// <summary>The owner name of the notes every core has ("CORE").</summary>
    public const string CoreOwner = "CORE";

    /// <summary>The owner name of architecture notes such as NT_X86_XSTATE ("LINUX").</summary>
    public const string LinuxOwner = "LINUX";
}
