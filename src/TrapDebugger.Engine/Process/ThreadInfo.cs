namespace TrapDebugger.Engine.Process;

/// <summary>A thread of the debuggee: its kernel id and name (/proc/pid/task/tid/comm).</summary>
/// <param name="Id">The thread id (tid), also the DAP thread id.</param>
/// <param name="Name">The thread's name, or "thread ID" when the target does not know it (a core records only the process's).</param>
public sealed record ThreadInfo(int Id, string Name)
{
    /// <summary>True when <see cref="Name"/> is the thread's own name rather than one made from its id.</summary>
    public bool IsNamed { get; init; } = true;
}
