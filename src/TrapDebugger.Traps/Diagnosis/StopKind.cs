namespace TrapDebugger.Traps;

/// <summary>What kind of event stopped the thread.</summary>
public enum StopKind
{
    /// <summary>Nothing specific could be said (a signal the analysis does not classify further).</summary>
    Unknown,
    /// <summary>A <c>__builtin_verbose_trap</c> (or libc++ hardening / clang ≥ 22 UBSan) trap whose message is in the debug information.</summary>
    VerboseTrap,
    /// <summary>An optimized trap shared by several checks; the origins tell which one fired.</summary>
    MergedTrap,
    /// <summary>A <c>ud2</c> with no message (<c>__builtin_trap</c>, <c>-ftrapv</c>, …).</summary>
    PlainTrap,
    /// <summary>A UBSan check in trap mode (<c>ud1</c> carrying the check kind).</summary>
    UbsanTrap,
    /// <summary>An <c>int3</c> (or <c>int 3</c>) the program itself contains, not a debugger breakpoint.</summary>
    BreakpointInstruction,
    /// <summary>A failed <c>assert()</c>.</summary>
    Assertion,
    /// <summary>A call to <c>abort()</c> (or a SIGABRT raised another way).</summary>
    Abort,
    /// <summary>A read, write or jump through a pointer into the null page.</summary>
    NullDereference,
    /// <summary>An access to a non-canonical address (often a corrupted or uninitialized pointer).</summary>
    NonCanonicalAddress,
    /// <summary>An access into the stack guard area: the stack overflowed.</summary>
    StackOverflow,
    /// <summary>An access to an address no mapping covers.</summary>
    UnmappedAddress,
    /// <summary>A write to a mapping without write permission.</summary>
    WriteToReadOnly,
    /// <summary>A jump or call into a mapping without execute permission.</summary>
    ExecuteNonExecutable,
    /// <summary>Any other SIGSEGV.</summary>
    SegmentationFault,
    /// <summary>A SIGBUS (misaligned access where required, or access past the end of a mapped file).</summary>
    BusError,
    /// <summary>An integer division by zero.</summary>
    DivisionByZero,
    /// <summary>An integer division overflow (INT_MIN / -1).</summary>
    DivisionOverflow,
    /// <summary>Any other SIGFPE.</summary>
    ArithmeticError,
    /// <summary>An illegal instruction that is not a trap instruction.</summary>
    IllegalInstruction,
    /// <summary>A signal sent by a process (kill, tgkill, sigqueue).</summary>
    SignalFromProcess,
    /// <summary>A signal raised by the kernel that is not a fault (SIGPIPE, SIGALRM, …).</summary>
    Signal,
    /// <summary>A Rust panic: the runtime's panic entry was reached (unwinding), or the process aborts because of one (panic=abort).</summary>
    RustPanic,
    /// <summary>A C++ exception nobody caught: <c>std::terminate</c> called <c>abort()</c>.</summary>
    UncaughtException,
    /// <summary>A C++ exception being thrown (<c>__cxa_throw</c> reached).</summary>
    ExceptionThrown,
}
