using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native;

/// <summary>This machine: programs launched and processes attached to through ptrace, processes listed from /proc.</summary>
public sealed class LocalPlatform : ITargetPlatform
{
    /// <summary>The one local platform.</summary>
    public static LocalPlatform Instance { get; } = new();

    private LocalPlatform()
    {
    }

    /// <inheritdoc/>
    public async Task<ITarget> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default) =>
        await TraceeProcess.LaunchAsync(options, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<ITarget> AttachAsync(int processId, CancellationToken cancellationToken = default) =>
        await TraceeProcess.AttachAsync(processId, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<ProcessInfo>();
        foreach (var pid in ProcFs.Processes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            list.Add(new ProcessInfo(pid, ProcFs.ProgramOf(pid)));
        }
        return Task.FromResult<IReadOnlyList<ProcessInfo>>(list);
    }

    /// <inheritdoc/>
    /// <remarks>Polls /proc every 5 ms, reading the program of each process only once.</remarks>
    public async Task<int> WaitForProcessAsync(string program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(program);
        var existing = ProcFs.Processes().ToHashSet();
        bool byName = !program.Contains('/');
        string wanted = byName ? program : Path.GetFullPath(program);
        int self = Environment.ProcessId;
        while (true)
        {
            foreach (var pid in ProcFs.Processes())
            {
                if (pid == self || existing.Contains(pid))
                    continue;
                if (ProcFs.ProgramOf(pid) is not { } exe)
                    continue;
                if (byName ? Path.GetFileName(exe) == wanted : exe == wanted)
                    return pid;
                existing.Add(pid);
            }
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public Task<ProcessInfo?> FindProcessAsync(int processId, CancellationToken cancellationToken = default) =>
        Task.FromResult(processId > 0 && ProcFs.Exists(processId) ? new ProcessInfo(processId, ProcFs.ProgramOf(processId)) : null);
}
