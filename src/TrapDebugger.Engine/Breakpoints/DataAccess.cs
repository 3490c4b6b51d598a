namespace TrapDebugger.Engine.Breakpoints;

/// <summary>Which accesses to watched memory stop the program; x86 debug registers trap writes, or reads and writes,
/// but never reads alone.</summary>
public enum DataAccess
{
    /// <summary>Any store to the watched bytes (reported after the store, with the new value in memory).</summary>
    Write,
    /// <summary>Any load from or store to the watched bytes.</summary>
    ReadWrite,
}
