using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Protocol.Traps;

/// <summary>Arguments of the <c>trapSites</c> extension request.</summary>
public sealed class TrapSitesArguments
{
    /// <summary>A loaded module, by module id or path.</summary>
    public string? Module { get; set; }

    /// <summary>A binary path; works without a running process.</summary>
    public string? Program { get; set; }
}

/// <summary>Body of the <c>trapSites</c> response.</summary>
public sealed class TrapSitesResponseBody
{
    /// <summary>Every trap instruction found, in address order.</summary>
    public List<TrapSiteInfo> Sites { get; set; } = [];
}

/// <summary>One trap instruction in a binary, with the checks that lead to it.</summary>
public sealed class TrapSiteInfo
{
    /// <summary>Address of the trap instruction, <c>0x</c>-prefixed hex.</summary>
    public string Address { get; set; } = "";

    /// <summary>The module's path.</summary>
    public string Module { get; set; } = "";

    /// <summary>The function containing the trap.</summary>
    public string Function { get; set; } = "";

    /// <summary><c>ud2</c>, <c>ud1</c> or <c>int3</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The trap category, e.g. <c>libc++</c> or <c>Undefined Behavior Sanitizer</c>.</summary>
    public string? Category { get; set; }

    /// <summary>The trap message.</summary>
    public string? Message { get; set; }

    /// <summary><c>dwarf</c>, <c>recovered</c>, <c>ubsanCheck</c> or <c>none</c> (the names are TrapDebugger.Engine.Diagnosis.TrapWireNames).</summary>
    public string MessageSource { get; set; } = "none";

    /// <summary>Several checks were merged into this one trap by the optimizer.</summary>
    public bool Merged { get; set; }

    /// <summary>Number of checks that branch to this trap.</summary>
    public int CheckCount { get; set; }

    /// <summary>Source of the trap itself.</summary>
    public Source? Source { get; set; }

    /// <summary>Line of the trap itself (0 for merged traps).</summary>
    public int? Line { get; set; }

    /// <summary>The checks (conditional branches) leading to the trap.</summary>
    public List<TrapCheckInfo> Checks { get; set; } = [];
}

/// <summary>One check (a conditional branch) that leads to a trap.</summary>
public sealed class TrapCheckInfo
{
    /// <summary>Address of the branch, <c>0x</c>-prefixed hex.</summary>
    public string Address { get; set; } = "";

    /// <summary>Source of the check.</summary>
    public Source? Source { get; set; }

    /// <summary>Line of the check.</summary>
    public int? Line { get; set; }

    /// <summary>Column of the check.</summary>
    public int? Column { get; set; }

    /// <summary>Trap category of the check.</summary>
    public string? Category { get; set; }

    /// <summary>Trap message of the check.</summary>
    public string? Message { get; set; }

    /// <summary><c>dwarf</c>, <c>recovered</c>, <c>ubsanCheck</c> or <c>none</c> (the names are TrapDebugger.Engine.Diagnosis.TrapWireNames).</summary>
    public string MessageSource { get; set; } = "none";

    /// <summary>The inlined function the check came from, e.g. <c>std::vector::operator[]</c>.</summary>
    public string? InlinedFrom { get; set; }
}

/// <summary>Arguments of the <c>trapOrigins</c> extension request.</summary>
public sealed class TrapOriginsArguments
{
    /// <summary>The stopped thread; the last stopped thread when absent.</summary>
    public int? ThreadId { get; set; }
}

/// <summary>Body of the <c>trapOrigins</c> response.</summary>
public sealed class TrapOriginsResponseBody
{
    /// <summary>Kind of the stop, e.g. <c>verbose-trap</c>, <c>merged-trap</c>, <c>ubsan</c>, <c>assert</c>, <c>null-read</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>One-sentence description of the stop.</summary>
    public string Description { get; set; } = "";

    /// <summary>Candidate checks, most likely first.</summary>
    public List<TrapOriginInfo> Origins { get; set; } = [];
}

/// <summary>One candidate check that may have fired, with the evidence for it.</summary>
public sealed class TrapOriginInfo
{
    /// <summary>Rank, 1 for the most likely.</summary>
    public int Rank { get; set; }

    /// <summary>Address of the check's branch, <c>0x</c>-prefixed hex.</summary>
    public string Address { get; set; } = "";

    /// <summary>Source of the check.</summary>
    public Source? Source { get; set; }

    /// <summary>Line of the check.</summary>
    public int? Line { get; set; }

    /// <summary>Column of the check.</summary>
    public int? Column { get; set; }

    /// <summary>Trap category of the check.</summary>
    public string? Category { get; set; }

    /// <summary>Trap message of the check.</summary>
    public string? Message { get; set; }

    /// <summary><c>dwarf</c>, <c>recovered</c>, <c>ubsanCheck</c> or <c>none</c> (the names are TrapDebugger.Engine.Diagnosis.TrapWireNames).</summary>
    public string MessageSource { get; set; } = "none";

    /// <summary><c>holds</c>, <c>doesNotHold</c> or <c>unknown</c>: whether the branch condition, re-evaluated on the registers at the trap, holds.</summary>
    public string Condition { get; set; } = "unknown";

    /// <summary>Why this origin is ranked where it is, e.g. "rax=10 ≥ rcx=10".</summary>
    public string? Evidence { get; set; }

    /// <summary>The inlined function the check came from.</summary>
    public string? InlinedFrom { get; set; }
}
