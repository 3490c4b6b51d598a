namespace TrapDebugger.Native.Breakpoints;

/// <summary>An address patched with int3: the byte it replaced and who wants it (the client, the tracer, or both).</summary>
internal sealed class BreakpointSite(ulong address, byte original)
{
    public ulong Address { get; } = address;
    public byte Original { get; set; } = original;
    public int UserCount { get; set; }
    public bool Internal { get; set; }
    public Func<BreakpointHit, bool>? Condition { get; set; }
    public bool InUse => UserCount > 0 || Internal;
}
