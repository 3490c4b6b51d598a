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
}
