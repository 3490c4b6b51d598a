namespace TrapDebugger.Traps;

/// <summary>One trap instruction in a module, with the checks that reach it and what they say.</summary>
public sealed record TrapSite
{
    /// <summary>The address of the trap instruction.</summary>
    public required ulong Address { get; init; }

    /// <summary>ud2, UBSan ud1 or int3.</summary>
    public required TrapInstructionKind Kind { get; init; }

    /// <summary>The disassembly of the instruction.</summary>
    public required string Instruction { get; init; }

    /// <summary>The function containing it.</summary>
    public required string Function { get; init; }

    /// <summary>The line row of the trap (line 0 for a merged trap).</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The category when the site has a single one (from its trap-message frame, or from its only check).</summary>
    public string? Category { get; init; }

    /// <summary>The message when the site has a single one.</summary>
    public string? Message { get; init; }

    /// <summary>Where <see cref="Message"/> came from.</summary>
    public MessageSource MessageSource { get; init; }

    /// <summary>The UBSan check kind of a <c>ud1</c> site.</summary>
    public UbsanCheck? UbsanCheck { get; init; }

    /// <summary>The conditional branches that reach the trap, each with its own location and message (condition Unknown: no live state).</summary>
    public IReadOnlyList<TrapOrigin> Origins { get; init; } = [];

    /// <summary>How many distinct checks were merged into this trap (the number of branches reaching it).</summary>
    public int MergedCheckCount => Origins.Count;
}
