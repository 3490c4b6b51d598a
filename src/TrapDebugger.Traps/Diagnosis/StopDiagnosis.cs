namespace TrapDebugger.Traps;

/// <summary>Why a thread stopped: the classification, the message, ranked trap origins and the frame to land on.</summary>
public sealed record StopDiagnosis
{
    /// <summary>The kind of stop.</summary>
    public required StopKind Kind { get; init; }

    /// <summary>The signal number that stopped the thread.</summary>
    public int Signal { get; init; }

    /// <summary>The signal's name, e.g. "SIGILL".</summary>
    public string SignalName { get; init; } = "";

    /// <summary>The trap or check category, e.g. "Bounds check", "Undefined Behavior Sanitizer", "libc++".</summary>
    public string? Category { get; init; }

    /// <summary>The message of the trap, assertion or fault.</summary>
    public string? Message { get; init; }

    /// <summary>Where a trap's <see cref="Message"/> came from; <see cref="MessageSource.None"/> for stops that are not traps.</summary>
    public MessageSource MessageSource { get; init; }

    /// <summary>The headline: the one line a DAP stopped event and the CLI's reason show, e.g. "Bounds check: index out of range",
    /// with how surely a merged check was picked (see <see cref="StopWording"/>).</summary>
    public required string Description { get; init; }

    /// <summary>A short name of the kind, for the DAP <c>text</c> field, e.g. "Verbose trap".</summary>
    public required string ShortText { get; init; }

    /// <summary>Longer detail lines (for DAP exceptionInfo and the CLI): the instruction, the operands, the message; the
    /// candidate checks are not among them but in <see cref="Origins"/>, worded by <see cref="StopWording.OriginLine"/>.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The address of the trapping or faulting instruction.</summary>
    public ulong? TrapAddress { get; init; }

    /// <summary>The disassembly of that instruction, e.g. "ud1 eax,[eax+12h]".</summary>
    public string? Instruction { get; init; }

    /// <summary>The function containing the trap address.</summary>
    public string? Function { get; init; }

    /// <summary>The source position of the trap address (line row; may be line 0 for merged traps).</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The UBSan check behind a <c>ud1</c>, when that is what stopped the thread.</summary>
    public UbsanCheck? UbsanCheck { get; init; }

    /// <summary>The candidate checks that can reach the trap, most likely first.</summary>
    public IReadOnlyList<TrapOrigin> Origins { get; init; } = [];

    /// <summary>The decoded memory access for SIGSEGV/SIGBUS.</summary>
    public MemoryFault? Fault { get; init; }

    /// <summary>The frame to select for the user.</summary>
    public LandingFrame? Landing { get; init; }

    /// <summary>How surely the live state singles out the first of <see cref="Origins"/> as the check that fired.</summary>
    public PickConfidence Confidence { get; init; }

    /// <summary>The C++ exception behind an uncaught-exception or throw stop.</summary>
    public CxxException? Exception { get; init; }

    /// <summary>The sending process for a signal sent by a process.</summary>
    public int? SenderPid { get; init; }
}
