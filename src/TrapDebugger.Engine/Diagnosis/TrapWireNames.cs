using TrapDebugger.Traps;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>The wire spelling of the trap analysis's enums, shared by the DAP extensions (<c>trapSites</c>, <c>trapOrigins</c>) and
/// trapdbg's JSON reports, so a name is written in one place only.</summary>
public static class TrapWireNames
{
    /// <summary>The message was read from the artificial <c>__clang_trap_msg$…</c> frame in the debug information.</summary>
    public const string DwarfMessage = "dwarf";

    /// <summary>The message was recovered from the <c>__builtin_verbose_trap(…)</c> call on the check's source line.</summary>
    public const string RecoveredMessage = "recovered";

    /// <summary>The message names the UBSan check that the <c>ud1</c>'s immediate encodes (Clang's handler table).</summary>
    public const string UbsanCheckMessage = "ubsanCheck";

    /// <summary>No message is known.</summary>
    public const string NoMessage = "none";

    /// <summary>The message was inferred from the shape of the check's code (a GCC trap-mode check without a message).</summary>
    public const string InferredMessage = "inferred";

    /// <summary>The <c>ud2</c> instruction.</summary>
    public const string Ud2 = "ud2";

    /// <summary>The <c>ud1</c> instruction (UBSan trap mode, or another undefined-opcode trap).</summary>
    public const string Ud1 = "ud1";

    /// <summary>An <c>int3</c> the program itself contains.</summary>
    public const string Int3 = "int3";

    /// <summary>The check's branch condition holds on the registers at the trap: it can have fired.</summary>
    public const string Holds = "holds";

    /// <summary>The check's branch condition does not hold: it did not fire.</summary>
    public const string DoesNotHold = "doesNotHold";

    /// <summary>The registers no longer tell whether the check's condition held.</summary>
    public const string Unknown = "unknown";

    /// <summary>"dwarf", "recovered", "ubsanCheck" or "none".</summary>
    public static string Of(MessageSource source) => source switch
    {
        MessageSource.Dwarf => DwarfMessage,
        MessageSource.RecoveredFromSource => RecoveredMessage,
        MessageSource.UbsanCheckKind => UbsanCheckMessage,
        MessageSource.InferredFromCode => InferredMessage,
        _ => NoMessage,
    };

    /// <summary>"ud2", "ud1" or "int3".</summary>
    public static string Of(TrapInstructionKind kind) => kind switch
    {
        TrapInstructionKind.Int3 => Int3,
        TrapInstructionKind.UbsanUd1 or TrapInstructionKind.OtherUndefined => Ud1,
        _ => Ud2,
    };

    /// <summary>"holds", "doesNotHold" or "unknown".</summary>
    public static string Of(ConditionStatus condition) => condition switch
    {
        ConditionStatus.Holds => Holds,
        ConditionStatus.DoesNotHold => DoesNotHold,
        _ => Unknown,
    };

    /// <summary>The kind of <paramref name="diagnosis"/> as DAP's <c>exceptionId</c>, trapOrigins' <c>kind</c> and trapdbg's JSON
    /// report's <c>kind</c>, e.g. "verbose-trap", "merged-trap", "ubsan", "assert", "null-read".</summary>
    /// <remarks>A null dereference is named by its access (read, write, call), as a user reads it.</remarks>
    public static string KindOf(StopDiagnosis diagnosis) => diagnosis.Kind switch
    {
        StopKind.VerboseTrap => "verbose-trap",
        StopKind.MergedTrap => "merged-trap",
        StopKind.PlainTrap => "trap",
        StopKind.UbsanTrap => "ubsan",
        StopKind.BreakpointInstruction => "int3",
        StopKind.Assertion => "assert",
        StopKind.Abort => "abort",
        StopKind.NullDereference => diagnosis.Fault?.Access switch
        {
            MemoryAccessKind.Write => "null-write",
            MemoryAccessKind.ReadWrite => "null-write",
            MemoryAccessKind.Execute => "null-call",
            _ => "null-read",
        },
        StopKind.NonCanonicalAddress => "non-canonical-address",
        StopKind.StackOverflow => "stack-overflow",
        StopKind.UnmappedAddress => "unmapped-address",
        StopKind.WriteToReadOnly => "write-to-read-only",
        StopKind.ExecuteNonExecutable => "execute-non-executable",
        StopKind.SegmentationFault => "segmentation-fault",
        StopKind.BusError => "bus-error",
        StopKind.DivisionByZero => "division-by-zero",
        StopKind.DivisionOverflow => "division-overflow",
        StopKind.ArithmeticError => "arithmetic-error",
        StopKind.IllegalInstruction => "illegal-instruction",
        StopKind.SignalFromProcess => "signal-from-process",
        StopKind.Signal => "signal",
        StopKind.RustPanic => "rust-panic",
        StopKind.UncaughtException => "uncaught-exception",
        StopKind.ExceptionThrown => "exception-thrown",
        _ => "unknown",
    };
}
