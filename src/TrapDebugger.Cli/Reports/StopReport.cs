using TrapDebugger.Engine.Diagnosis;

namespace TrapDebugger.Cli.Reports;

/// <summary>What <c>trapdbg run</c>, <c>trapdbg attach</c> and <c>trapdbg core</c> print: how the program stopped (or ended), why, and where.</summary>
/// <remarks>The JSON form of this type is documented in docs/trap-report-json.md; property names are camelCase and absent values are omitted.</remarks>
public sealed class StopReport
{
    /// <summary>The program's path.</summary>
    public string? Program { get; set; }

    /// <summary>The process id.</summary>
    public int ProcessId { get; set; }

    /// <summary>The process that forked this one, when the stop is of a process the program made.</summary>
    public int? ForkedFrom { get; set; }

    /// <summary>Why the program stopped; null when it ended without stopping (see <see cref="End"/>).</summary>
    public StopSummary? Stop { get; set; }

    /// <summary>The stopped thread with its backtrace; null when the program did not stop.</summary>
    public ThreadBacktrace? Thread { get; set; }

    /// <summary>A few source lines around the landing line, when the source file is readable.</summary>
    public SourceSnippet? Source { get; set; }

    /// <summary>The other threads: one line each (the innermost frame with source, else the innermost frame).</summary>
    public List<ThreadSummary> OtherThreads { get; set; } = [];

    /// <summary>How the program ended, or for attach how the debugger left it.</summary>
    public ProgramEnd End { get; set; } = new();

    /// <summary>The core file: the one the report was read from (<c>trapdbg core</c>), or the one written at the stop
    /// (<c>--core-dir</c>).</summary>
    public string? Core { get; set; }
}

/// <summary>The diagnosis of one stop, in report form.</summary>
public sealed class StopSummary
{
    /// <summary>The kind of stop in camelCase, e.g. <c>verboseTrap</c>, <c>mergedTrap</c>, <c>ubsanTrap</c>, <c>assertion</c>, <c>nullDereference</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The one-line reason, e.g. "Bounds check: index out of range (1 of 5 merged checks; condition holds: rdx = 9 ≥ 8)".</summary>
    public string Reason { get; set; } = "";

    /// <summary>The diagnosis's own description (the text a DAP stopped event carries).</summary>
    public string Description { get; set; } = "";

    /// <summary>The signal number.</summary>
    public int Signal { get; set; }

    /// <summary>The signal name, e.g. <c>SIGILL</c>.</summary>
    public string SignalName { get; set; } = "";

    /// <summary>The trap or check category.</summary>
    public string? Category { get; set; }

    /// <summary>The message of the trap, assertion or fault.</summary>
    public string? Message { get; set; }

    /// <summary>Where a trap's <see cref="Message"/> came from: <c>dwarf</c>, <c>recovered</c> (from the check's source line),
    /// <c>ubsanCheck</c> (the check kind a UBSan <c>ud1</c> encodes) or <c>none</c> (also for stops that are not traps).</summary>
    public string MessageSource { get; set; } = TrapWireNames.NoMessage;

    /// <summary>The trapping or faulting instruction's address, <c>0x</c>-prefixed hex.</summary>
    public string? Address { get; set; }

    /// <summary>The disassembly of that instruction.</summary>
    public string? Instruction { get; set; }

    /// <summary>The function containing it.</summary>
    public string? Function { get; set; }

    /// <summary>The line row of the instruction (line 0 for a merged trap).</summary>
    public SourcePosition? InstructionLocation { get; set; }

    /// <summary>The source position the user should look at: the check that fired, the verbose trap's call, the assert, the faulting line.</summary>
    public LandingPosition? Landing { get; set; }

    /// <summary>How many checks reach the trap instruction (more than one: the optimizer merged them).</summary>
    public int CheckCount { get; set; }

    /// <summary>How surely the live state singles out the first check: "only" (nothing to choose), "confirmed", "likely" or "unmatched".</summary>
    public string Confidence { get; set; } = "only";

    /// <summary>The C++ exception's type behind an uncaught exception or a throw.</summary>
    public string? ExceptionType { get; set; }

    /// <summary>The candidate checks, most likely first, with the evidence for each.</summary>
    public List<OriginReport> Origins { get; set; } = [];

    /// <summary>The memory access behind a SIGSEGV or SIGBUS.</summary>
    public FaultReport? Fault { get; set; }

    /// <summary>Detail lines of the analysis (the instruction, each origin, UBSan explanations).</summary>
    public List<string> Details { get; set; } = [];
}

/// <summary>A file, line and column.</summary>
public sealed class SourcePosition
{
    /// <summary>The source file path as the debug information names it.</summary>
    public string File { get; set; } = "";

    /// <summary>The 1-based line; 0 for compiler-generated code.</summary>
    public int Line { get; set; }

    /// <summary>The 1-based column, when known.</summary>
    public int? Column { get; set; }
}

/// <summary>The frame and source position the report lands on.</summary>
public sealed class LandingPosition
{
    /// <summary>The index of the landing frame in <see cref="ThreadBacktrace.Frames"/>.</summary>
    public int FrameIndex { get; set; }

    /// <summary>The function of the landing position.</summary>
    public string? Function { get; set; }

    /// <summary>The source file.</summary>
    public string? File { get; set; }

    /// <summary>The line.</summary>
    public int? Line { get; set; }

    /// <summary>The column.</summary>
    public int? Column { get; set; }

    /// <summary>Why this position was chosen, e.g. "the check that most likely fired".</summary>
    public string? Reason { get; set; }
}

/// <summary>One check that can have sent control to the trap, ranked.</summary>
public sealed class OriginReport
{
    /// <summary>1 for the most likely check.</summary>
    public int Rank { get; set; }

    /// <summary>The address of the check's branch, <c>0x</c>-prefixed hex.</summary>
    public string Address { get; set; } = "";

    /// <summary>The disassembly of the branch.</summary>
    public string? Instruction { get; set; }

    /// <summary>The check's source position.</summary>
    public SourcePosition? Location { get; set; }

    /// <summary>The inlined function the check belongs to, when it is not the trap's function itself.</summary>
    public string? InlinedFrom { get; set; }

    /// <summary>The check's category.</summary>
    public string? Category { get; set; }

    /// <summary>The check's message.</summary>
    public string? Message { get; set; }

    /// <summary><c>dwarf</c>, <c>recovered</c>, <c>ubsanCheck</c> or <c>none</c> (see <see cref="TrapWireNames"/>).</summary>
    public string MessageSource { get; set; } = TrapWireNames.NoMessage;

    /// <summary><c>holds</c>, <c>doesNotHold</c> or <c>unknown</c>: the check's condition on the registers at the stop.</summary>
    public string Condition { get; set; } = TrapWireNames.Unknown;

    /// <summary>The values behind <see cref="Condition"/>.</summary>
    public string? Evidence { get; set; }

    /// <summary>True when the live flags agree with this check's compare (it can be the last compare executed before the trap).</summary>
    public bool LiveFlagsAgree { get; set; }
}

/// <summary>The decoded memory access of a SIGSEGV or SIGBUS.</summary>
public sealed class FaultReport
{
    /// <summary>The faulting address, <c>0x</c>-prefixed hex.</summary>
    public string Address { get; set; } = "";

    /// <summary><c>read</c>, <c>write</c>, <c>readWrite</c>, <c>execute</c> or <c>unknown</c>.</summary>
    public string Access { get; set; } = "unknown";

    /// <summary>The access size in bytes (0 when unknown).</summary>
    public int Size { get; set; }

    /// <summary>The class of the address, e.g. <c>nullPage</c>, <c>unmapped</c>, <c>readOnly</c>.</summary>
    public string AddressClass { get; set; } = "unknown";

    /// <summary>The base register of the memory operand, e.g. <c>rdi</c>.</summary>
    public string? BaseRegister { get; set; }

    /// <summary>The value of the base register, <c>0x</c>-prefixed hex.</summary>
    public string? BaseValue { get; set; }

    /// <summary>The displacement of the memory operand (the field offset for a null-pointer field access).</summary>
    public long Displacement { get; set; }
}

/// <summary>A thread with its frames, innermost first.</summary>
public sealed class ThreadBacktrace
{
    /// <summary>The thread id.</summary>
    public int Id { get; set; }

    /// <summary>The thread's name (its comm).</summary>
    public string? Name { get; set; }

    /// <summary>The frames, innermost first; inlined calls are frames of their own.</summary>
    public List<FrameReport> Frames { get; set; } = [];

    /// <summary>True when the backtrace was cut at the report's frame limit.</summary>
    public bool Truncated { get; set; }
}

/// <summary>One frame of a backtrace.</summary>
public sealed class FrameReport
{
    /// <summary>The position, 0 innermost (inlined frames counted).</summary>
    public int Index { get; set; }

    /// <summary>The function name as the debug information gives it, or a <c>0x…</c> address when nothing names the code.</summary>
    public string Function { get; set; } = "";

    /// <summary>For an artificial frame, what it stands for, e.g. "verbose trap: Bounds check: index out of range"; shown instead of a function.</summary>
    public string? Label { get; set; }

    /// <summary>The pc of the machine frame, <c>0x</c>-prefixed hex.</summary>
    public string Address { get; set; } = "";

    /// <summary>The module file name, e.g. <c>libc.so.6</c>.</summary>
    public string? Module { get; set; }

    /// <summary>The source position.</summary>
    public SourcePosition? Location { get; set; }

    /// <summary>True when this function was inlined into the next frame.</summary>
    public bool Inlined { get; set; }

    /// <summary>True for an artificial frame (the <c>__clang_trap_msg$…</c> frame of a verbose trap): a label, not a function.</summary>
    public bool Artificial { get; set; }

    /// <summary>True for the frame the report lands on.</summary>
    public bool Landing { get; set; }

    /// <summary>The function's formal parameters with their values at this frame, in declaration order; null when the
    /// debug information does not describe the function (a library without DWARF).</summary>
    public List<ArgumentReport>? Arguments { get; set; }
}

/// <summary>One argument of a frame: what a backtrace shows between the function's parentheses.</summary>
public sealed class ArgumentReport
{
    /// <summary>The parameter's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Its type as the source language spells it.</summary>
    public string Type { get; set; } = "";

    /// <summary>Its value as the variables view shows it (<c>&lt;optimized out&gt;</c> when the compiler did not keep it).</summary>
    public string Value { get; set; } = "";
}

/// <summary>A few source lines around a line.</summary>
public sealed class SourceSnippet
{
    /// <summary>The file the lines come from.</summary>
    public string File { get; set; } = "";

    /// <summary>The highlighted line.</summary>
    public int Line { get; set; }

    /// <summary>The line number of <see cref="Lines"/>[0].</summary>
    public int FirstLine { get; set; }

    /// <summary>The text of the lines.</summary>
    public List<string> Lines { get; set; } = [];
}

/// <summary>One other thread, in one line.</summary>
public sealed class ThreadSummary
{
    /// <summary>The thread id.</summary>
    public int Id { get; set; }

    /// <summary>The thread's name.</summary>
    public string? Name { get; set; }

    /// <summary>The innermost frame with a source position, else the innermost frame.</summary>
    public FrameReport? Frame { get; set; }
}

/// <summary>How the program ended, or how the debugger left it.</summary>
public sealed class ProgramEnd
{
    /// <summary><c>exited</c> (the program exited by itself), <c>signaled</c> (a signal killed it without a stop), <c>killed</c>
    /// (the debugger killed it after the report), <c>detached</c> (attach: the debugger left it running), or <c>dumped</c>
    /// (core: the process died of <see cref="Signal"/> and the core was written).</summary>
    public string How { get; set; } = "exited";

    /// <summary>The program's exit code, for <c>exited</c>.</summary>
    public int? ExitCode { get; set; }

    /// <summary>The signal that killed it (for <c>signaled</c> and <c>dumped</c>) or that it would have died of (for <c>killed</c>).</summary>
    public int? Signal { get; set; }

    /// <summary>trapdbg's own exit status: the exit code, or 128 + the signal.</summary>
    public int Status { get; set; }

    /// <summary>Set when the program checked for a debugger (<c>ptrace(PTRACE_TRACEME)</c>) before it ended (exited, died of a
    /// signal, or stopped for the report): what it did and where.</summary>
    public string? DebuggerCheck { get; set; }
}
