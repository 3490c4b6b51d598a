namespace TrapDebugger.Protocol.Types;

/// <summary>A thread of the debuggee (DAP <c>Thread</c>; named so it does not clash with <see cref="System.Threading.Thread"/>).</summary>
public sealed class DapThread
{
    /// <summary>Thread id (on Linux, the kernel's TID).</summary>
    public int Id { get; set; }

    /// <summary>Thread name.</summary>
    public string Name { get; set; } = "";
}
