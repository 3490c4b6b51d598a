namespace TrapDebugger.Targets;

/// <summary>A place where programs run and targets are made from them: this machine (the local platform, over ptrace),
/// or another host or container reached through the remote agent. Core files are opened as targets directly.</summary>
/// <remarks>The adapter and the CLI pick the platform from their options; the engine only ever sees the targets it makes.</remarks>
public interface ITargetPlatform
{
    /// <summary>Starts <see cref="LaunchOptions.Program"/> and returns it stopped at its entry point (after the dynamic
    /// loader, before any of its own code); that stop is the first event of the target.</summary>
    /// <exception cref="TargetException">The program cannot be started or traced; the message says why.</exception>
    Task<ITarget> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default);

    /// <summary>Attaches to running process <paramref name="processId"/> and returns it with every thread stopped; that
    /// stop is the first event of the target.</summary>
    /// <exception cref="TargetException">The process does not exist or cannot be traced; the message says why and what to do.</exception>
    Task<ITarget> AttachAsync(int processId, CancellationToken cancellationToken = default);

    /// <summary>The processes running on the platform, with the programs they run where that can be read.</summary>
    Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until a process that was not running when the wait began runs <paramref name="program"/> (matched by
    /// path, or by file name when <paramref name="program"/> has no directory) and returns its id.</summary>
    Task<int> WaitForProcessAsync(string program, CancellationToken cancellationToken);

    /// <summary>Process <paramref name="processId"/>, or null when no such process runs on the platform.</summary>
    Task<ProcessInfo?> FindProcessAsync(int processId, CancellationToken cancellationToken = default);
}

/// <summary>A process running on a platform.</summary>
/// <param name="ProcessId">Its id.</param>
/// <param name="ExecutablePath">The program it runs, or null when it cannot be read (another user's process, a kernel thread).</param>
public sealed record ProcessInfo(int ProcessId, string? ExecutablePath);
