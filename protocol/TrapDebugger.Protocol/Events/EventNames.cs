namespace TrapDebugger.Protocol.Events;

/// <summary>The names of the events this adapter sends.</summary>
public static class EventNames
{
    /// <summary>The adapter is ready for configuration requests.</summary>
    public const string Initialized = "initialized";

    /// <summary>A thread (and, in all-stop, every thread) stopped.</summary>
    public const string Stopped = "stopped";

    /// <summary>Execution resumed without a client request.</summary>
    public const string Continued = "continued";

    /// <summary>A thread started or exited.</summary>
    public const string Thread = "thread";

    /// <summary>A module was loaded, changed or unloaded.</summary>
    public const string Module = "module";

    /// <summary>A breakpoint changed (e.g. became verified).</summary>
    public const string Breakpoint = "breakpoint";

    /// <summary>Text for the debug console.</summary>
    public const string Output = "output";

    /// <summary>The debuggee process started or was attached.</summary>
    public const string Process = "process";

    /// <summary>The debuggee exited.</summary>
    public const string Exited = "exited";

    /// <summary>The debug session ended.</summary>
    public const string Terminated = "terminated";

    /// <summary>State shown by the client is stale and must be fetched again.</summary>
    public const string Invalidated = "invalidated";
}
