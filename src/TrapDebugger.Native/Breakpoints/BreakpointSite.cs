namespace TrapDebugger.Native.Breakpoints;

/// <summary>An address patched with int3: the byte it replaced, the client's insertions that hold it (plain ones counted,
/// and those that decide at each hit whether it is reported), whether the tracer itself needs it (the entry point,
/// the loader's r_brk), whether the int3 is in memory now, and how the instruction under it runs while it stays.</summary>
/// <remarks>This is the record of patched bytes only: which user breakpoints stand at an address is the engine's to know.</remarks>
internal sealed class BreakpointSite(ulong address, byte original)
{
    public ulong Address { get; } = address;
    public byte Original { get; set; } = original;
    public int UserCount { get; set; }
    public List<BreakpointDecision> Decisions { get; } = [];
    public bool Internal { get; set; }

    /// <summary>True while the int3 is in the program's memory (only while threads run).</summary>
    public bool Inserted { get; set; }

    /// <summary>How the original instruction runs while the int3 stays, once worked out (see <see cref="DisplacedInstruction"/>).</summary>
    public DisplacedInstruction? Displaced { get; set; }

    /// <summary>True when an insertion of the client holds the site, so a hit may be reported.</summary>
    public bool IsClients => UserCount > 0 || Decisions.Count > 0;

    public bool InUse => IsClients || Internal;
}

/// <summary>One breakpoint byte the tracer writes: the address, the byte written (int3 or the original) and the original.</summary>
internal readonly record struct SiteByte(ulong Address, byte Value, byte Original);
