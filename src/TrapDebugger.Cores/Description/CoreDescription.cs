using TrapDebugger.Elf;
using TrapDebugger.Elf.Core;

namespace TrapDebugger.Cores;

/// <summary>Everything a core file records about a stopped process, in memory: the process, its threads, auxv, mapped files and memory.</summary>
public sealed class CoreDescription
{
    /// <summary>The process as NT_PRPSINFO describes it.</summary>
    public required ElfPrPsInfo Process { get; init; }

    /// <summary>The threads; the first is the one that took the signal (debuggers select it when they open the core).</summary>
    public required IReadOnlyList<CoreThreadState> Threads { get; init; }

    /// <summary>The auxiliary vector, without AT_NULL.</summary>
    public IReadOnlyList<AuxvEntry> Auxv { get; init; } = [];

    /// <summary>The file-backed mappings (NT_FILE).</summary>
    public IReadOnlyList<CoreMappedFile> MappedFiles { get; init; } = [];

    /// <summary>The memory ranges of the process, each either included with its bytes or recorded as omitted.</summary>
    public required IReadOnlyList<CoreRegion> Regions { get; init; }

    /// <summary>Reads the bytes of included regions, by address.</summary>
    public required IByteSource Memory { get; init; }
}

/// <summary>One thread of a <see cref="CoreDescription"/>: status and general registers, floating-point and XSAVE state, and its signal.</summary>
/// <param name="Status">NT_PRSTATUS: ids, signal and general registers.</param>
/// <param name="FloatingPoint">NT_FPREGSET (user_fpregs_struct, 512 bytes), or null.</param>
/// <param name="ExtendedState">NT_X86_XSTATE (the XSAVE area), or null.</param>
/// <param name="SignalInfo">NT_SIGINFO, or null for a thread that took no signal.</param>
public sealed record CoreThreadState(ElfPrStatus Status, byte[]? FloatingPoint, byte[]? ExtendedState, ElfSigInfo? SignalInfo);

/// <summary>A range of the process's address space as one PT_LOAD: its permissions, and whether the core holds its bytes.</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The first address past the range.</param>
/// <param name="Flags">PF_R (4), PF_W (2), PF_X (1).</param>
/// <param name="Included">True when the bytes are written into the core; false records the range with p_filesz 0.</param>
public sealed record CoreRegion(ulong Start, ulong End, uint Flags, bool Included)
{
    /// <summary>The size in bytes.</summary>
    public ulong Size => End - Start;
}
