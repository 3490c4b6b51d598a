using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary>The wire names of diagnosis kinds (exceptionInfo's <c>exceptionId</c>, trapOrigins' <c>kind</c>).</summary>
public static class StopKindNames
{
    /// <summary>The kind of <paramref name="diagnosis"/>, e.g. "verbose-trap", "merged-trap", "ubsan", "assert", "null-read".</summary>
    public static string Of(StopDiagnosis diagnosis) => diagnosis.Kind switch
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
        _ => "unknown",
    };
}
