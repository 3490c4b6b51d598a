namespace TrapDebugger.Engine.Process;

/// <summary>The kinds of step the debugger performs.</summary>
public enum StepKind
{
    /// <summary>To the next line of the selected frame, stepping over calls and inlined calls (DAP next).</summary>
    Over,
    /// <summary>To the next line, entering calls and inlined calls that have line information (DAP stepIn).</summary>
    Into,
    /// <summary>Until the selected frame returns (DAP stepOut); for an inlined frame, until the pc leaves the inlined code.</summary>
    Out,
    /// <summary>One machine instruction (DAP next/stepIn with granularity "instruction").</summary>
    Instruction,
}
