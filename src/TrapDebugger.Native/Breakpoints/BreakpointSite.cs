namespace TrapDebugger.Native.Breakpoints;

/// <summary>An address patched with int3: the byte it replaced, the client's insertions that hold it (plain ones counted,
/// and those that decide at each hit whether it is reported), and whether the tracer itself needs it (the entry point,
/// the loader's r_brk).</summary>
/// <remarks>This is the record of patched bytes only: which user breakpoints stand at an address is the engine's to know.</remarks>
internal sealed class BreakpointSite(ulong address, byte original)
{
    public ulong Address { get; } = address;
    public byte Original { get; set; } = original;
    public int UserCount { get; set; }
    public List<BreakpointDecision> Decisions { get; } = [];
    public bool Internal { get; set; }

    /// <summary>True when an insertion of the client holds the site, so a hit may be reported.</summary>
    public bool IsClients => UserCount > 0 || Decisions.Count > 0;

    public bool InUse => IsClients || Internal;
}
