namespace TrapDebugger.Engine.Process;

/// <summary>A thread of the debuggee: its kernel id and name (/proc/pid/task/tid/comm).</summary>
/// <param name="Id">The thread id (tid), also the DAP thread id.</param>
/// <param name="Name">The thread's name.</param>
public sealed record ThreadInfo(int Id, string Name);
