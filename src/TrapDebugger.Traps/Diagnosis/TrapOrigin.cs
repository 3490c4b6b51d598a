namespace TrapDebugger.Traps;

/// <summary>Where a trap message came from.</summary>
public enum MessageSource
{
    /// <summary>No message is known.</summary>
    None,
    /// <summary>From the artificial <c>__clang_trap_msg$…</c> frame in the debug information.</summary>
    Dwarf,
    /// <summary>Recovered by reading the <c>__builtin_verbose_trap(…)</c> call in the source line.</summary>
    RecoveredFromSource,
    /// <summary>From the UBSan check kind encoded in a <c>ud1</c>.</summary>
    UbsanCheckKind,
    /// <summary>Inferred from the shape of the check's code (a <c>jo</c> after <c>imul</c>, a compare against the shift width, …).</summary>
    InferredFromCode,
}

/// <summary>Whether a check's condition, evaluated on the live registers, sends control to the trap.</summary>
public enum ConditionStatus
{
    /// <summary>The values could not be proven to be those the check saw.</summary>
    Unknown,
    /// <summary>The condition sends control to the trap: this check can have fired.</summary>
    Holds,
    /// <summary>The condition does not send control to the trap: this check did not fire.</summary>
    DoesNotHold,
}

/// <summary>One check (a conditional branch) that can reach a trap, with what the live state says about it.</summary>
public sealed record TrapOrigin
{
    /// <summary>The address of the conditional branch (or of the trap itself for an unconditional trap).</summary>
    public required ulong BranchAddress { get; init; }

    /// <summary>The disassembly of the branch, e.g. "jae 0x1155".</summary>
    public string? BranchInstruction { get; init; }

    /// <summary>The source position of the branch.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The function names of the inline chain at the branch, innermost first.</summary>
    public IReadOnlyList<string> InlineChain { get; init; } = [];

    /// <summary>The innermost inlined function the check belongs to (e.g. a bounds-checking helper), or null when it is in the function itself.</summary>
    public string? InlinedFrom { get; init; }

    /// <summary>The check's category (e.g. "Bounds check"), when known.</summary>
    public string? Category { get; init; }

    /// <summary>The check's message, when known.</summary>
    public string? Message { get; init; }

    /// <summary>Where <see cref="Message"/> came from.</summary>
    public MessageSource MessageSource { get; init; }

    /// <summary>Whether the check's condition holds on the live state.</summary>
    public ConditionStatus Condition { get; init; }

    /// <summary>The values behind <see cref="Condition"/>, e.g. "rdx = 8 ≥ rsi = 4 (unsigned)", or why it is unknown.</summary>
    public string? Evidence { get; init; }

    /// <summary>True when the live rflags give the same branch direction as the replayed compare, i.e. this compare can be the last
    /// flag-setting instruction executed before the trap (strong evidence that this check fired).</summary>
    public bool LiveFlagsAgree { get; init; }

    /// <summary>True when the trap is reached by taking the branch; false when it is reached by falling through it.</summary>
    public bool TrapOnTaken { get; init; } = true;

    /// <summary>1 for the most likely origin, 2 for the next, …</summary>
    public int Rank { get; init; }
}
