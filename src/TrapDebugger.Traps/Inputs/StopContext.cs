namespace TrapDebugger.Traps;

/// <summary>Everything the analysis knows about one stopped thread; only <see cref="Registers"/> and <see cref="Signal"/> are required.</summary>
public sealed record StopContext
{
    /// <summary>The registers of the stopped thread.</summary>
    public required RegisterState Registers { get; init; }

    /// <summary>The signal that stopped it.</summary>
    public required SignalInfo Signal { get; init; }

    /// <summary>Reads process memory (data, and code unless <see cref="Code"/> is given).</summary>
    public IByteSource? Memory { get; init; }

    /// <summary>Reads original code bytes (from the ELF file, without the debugger's breakpoint int3s); defaults to <see cref="Memory"/>.</summary>
    public IByteSource? Code { get; init; }

    /// <summary>Symbolizes code addresses.</summary>
    public ISymbolizer? Symbols { get; init; }

    /// <summary>Finds globals by name.</summary>
    public IGlobalSymbols? Globals { get; init; }

    /// <summary>Gives source line text.</summary>
    public ISourceText? Sources { get; init; }

    /// <summary>The mappings of the process (/proc/pid/maps), or empty when unknown.</summary>
    public IReadOnlyList<MemoryRegion> Regions { get; init; } = [];

    /// <summary>The stack range of the thread when known (for telling a stack overflow from another fault).</summary>
    public AddressRange? StackBounds { get; init; }

    /// <summary>The backtrace of the thread, innermost first, inline frames included; empty when not unwound.</summary>
    public IReadOnlyList<BacktraceFrame> Backtrace { get; init; } = [];

    /// <summary>The major version of the Clang that built the module at the pc (from DW_AT_producer), which picks the UBSan table.</summary>
    public int? ProducerClangVersion { get; init; }

    /// <summary>The process id of the stopped thread's process (tells a self-raised SIGABRT from one sent by another process).</summary>
    public int? ProcessId { get; init; }

    /// <summary>The language event whose breakpoint stopped the thread (the runtime's panic entry, <c>__cxa_throw</c>), or
    /// <see cref="LanguageEvent.None"/> for a signal stop.</summary>
    public LanguageEvent Event { get; init; }

    /// <summary>The diagnosis of a Rust panic this thread reported earlier, which a later abort (panic=abort) belongs to.</summary>
    public StopDiagnosis? EarlierPanic { get; init; }

    /// <summary>Addresses where the debugger itself has inserted breakpoints (their int3 is not the program's).</summary>
    public IReadOnlySet<ulong>? DebuggerBreakpoints { get; init; }
}
