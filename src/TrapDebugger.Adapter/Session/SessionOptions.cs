using TrapDebugger.Native;
using TrapDebugger.Native.Guardian;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Session;

/// <summary>How a session is run: authentication for network connections and where the adapter's own log goes.</summary>
public sealed class SessionOptions
{
    /// <summary>When set, the first request must be <c>initialize</c> carrying this <c>trapdbgAuthToken</c>; otherwise the connection is closed.</summary>
    public string? AuthToken { get; init; }

    /// <summary>Called once the client has presented the right token: null admits it, otherwise the sentence it is refused
    /// with before the connection closes (a network server takes one client at a time, <see cref="Transport.ClientGate"/>).</summary>
    public Func<string?>? Admit { get; init; }

    /// <summary>Where the adapter logs protocol faults (stderr for the CLI); never the DAP stream.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Where launched and attached processes come from, given what becomes of a launched program if the adapter
    /// goes away without ending it: this machine, traced inside the adapter unless the host gives a platform whose
    /// tracer outlives the adapter (<c>trapdbg dap</c> gives <see cref="GuardedPlatform"/>).</summary>
    public Func<LossPolicy, ITargetPlatform> Platform { get; init; } = _ => LocalPlatform.Instance;
}
