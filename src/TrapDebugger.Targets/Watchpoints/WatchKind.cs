namespace TrapDebugger.Targets;

/// <summary>What a debug-register slot traps on (the DR7 R/W field).</summary>
public enum WatchKind
{
    /// <summary>Instruction fetch at the address: a hardware breakpoint (R/W = 00, length 1).</summary>
    Execute = 0,
    /// <summary>Data writes (R/W = 01).</summary>
    Write = 1,
    /// <summary>Data reads or writes (R/W = 11).</summary>
    ReadWrite = 3,
}
