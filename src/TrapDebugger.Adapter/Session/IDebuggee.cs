namespace TrapDebugger.Adapter.Session;

/// <summary>The session's view of the process being debugged; the launch and attach handlers set it on the session.</summary>
/// <remarks>This is the seam between the DAP session and the engine: <c>disconnect</c> and <c>terminate</c> only need
/// to end or release the process, whatever drives it.</remarks>
public interface IDebuggee
{
    /// <summary>True when the adapter started the process (so <c>disconnect</c> terminates it by default), false when it attached.</summary>
    bool WasLaunched { get; }

    /// <summary>True when ending the session without a word from the client ends the process: a launched program, unless
    /// its configuration asked to keep it running.</summary>
    bool TerminatesByDefault => WasLaunched;

    /// <summary>Kills the process and waits until it is gone.</summary>
    Task TerminateAsync(CancellationToken cancellationToken);

    /// <summary>Detaches, leaving the process running (or stopped, when <paramref name="suspend"/> is true).</summary>
    Task DetachAsync(bool suspend, CancellationToken cancellationToken);
}
