using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Files;

namespace TrapDebugger.Remote.Client;

/// <summary>A host or container reached through the remote agent: its processes listed, launched and attached to over
/// one JSON-RPC connection. Each target it makes takes the connection with it (an agent connection debugs one
/// process), so a platform makes at most one target.</summary>
public sealed class RemotePlatform : ITargetPlatform, IAsyncDisposable
{
    private readonly AgentConnection connection;
    private readonly ModuleFileCache files;
    private int targetMade;

    private RemotePlatform(AgentConnection connection, ModuleFileCache files)
    {
        this.connection = connection;
        this.files = files;
    }

    /// <summary>Starts or reaches the agent at <paramref name="endpoint"/>.</summary>
    /// <exception cref="TargetException">The agent cannot be started, reached or authenticated; the message says why.</exception>
    public static async Task<RemotePlatform> ConnectAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var connection = await AgentConnection.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        return new RemotePlatform(connection, new ModuleFileCache(endpoint.CacheDirectory ?? ModuleFileCache.DefaultRoot(), endpoint.LocalFileDirectories));
    }

    /// <summary>The agent's host name.</summary>
    public string Host => connection.Greeting?.Host ?? "";

    /// <summary>The command line or address of the agent.</summary>
    public string Description => connection.Description;

    /// <summary>How messages name the agent's host: its host name, else its command line or address.</summary>
    public string Name => Host.Length > 0 ? Host : Description;

    /// <inheritdoc/>
    /// <remarks><see cref="LaunchOptions.Environment"/> names the variables to set on top of the agent's environment (the
    /// whole environment of this machine means nothing on another host).</remarks>
    public async Task<ITarget> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        TakeConnection();
        var launch = new WireLaunch
        {
            Program = options.Program,
            Arguments = [.. options.Arguments],
            Environment = options.Environment is { } env ? new Dictionary<string, string>(env) : null,
            WorkingDirectory = options.WorkingDirectory,
            Stdio = [Code(options.StandardInput), Code(options.StandardOutput), Code(options.StandardError)],
            DisableAslr = options.DisableAslr,
        };
        try
        {
            var info = await connection.Guard(() => connection.Agent.LaunchAsync(launch, cancellationToken)).ConfigureAwait(false);
            return new RemoteTarget(connection, files, info, options);
        }
        catch
        {
            Volatile.Write(ref targetMade, 0);
            throw;
        }
    }

    private static int Code(StdioMode mode) => mode == StdioMode.Pipe ? 1 : 2;

    /// <inheritdoc/>
    public async Task<ITarget> AttachAsync(int processId, CancellationToken cancellationToken = default)
    {
        TakeConnection();
        try
        {
            var info = await connection.Guard(() => connection.Agent.AttachAsync(processId, cancellationToken)).ConfigureAwait(false);
            return new RemoteTarget(connection, files, info, null);
        }
        catch
        {
            Volatile.Write(ref targetMade, 0);
            throw;
        }
    }

    private void TakeConnection()
    {
        if (Interlocked.Exchange(ref targetMade, 1) != 0)
            throw new TargetException("this agent connection already debugs a process.");
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default)
    {
        var list = await connection.Guard(() => connection.Agent.ListProcessesAsync(cancellationToken)).ConfigureAwait(false);
        return [.. list.Select(ToInfo)];
    }

    /// <summary>The processes of the agent's host with their command lines, for a process picker.</summary>
    public Task<WireProcess[]> ListProcessDetailsAsync(CancellationToken cancellationToken = default) =>
        connection.Guard(() => connection.Agent.ListProcessesAsync(cancellationToken));

    private static ProcessInfo ToInfo(WireProcess p) => new(p.ProcessId, p.ExecutablePath) { NamespaceProcessId = p.NamespaceProcessId };

    /// <inheritdoc/>
    /// <remarks>Two calls: the first answers once the agent has begun waiting, so <paramref name="waiting"/> runs when a
    /// process started on the agent's host will be caught.</remarks>
    public async Task<int> WaitForProcessAsync(string program, Action? waiting, CancellationToken cancellationToken)
    {
        int wait = await connection.Guard(() => connection.Agent.BeginWaitForProcessAsync(program, cancellationToken)).ConfigureAwait(false);
        waiting?.Invoke();
        return await connection.Guard(() => connection.Agent.WaitForProcessAsync(wait, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<ProcessInfo?> FindProcessAsync(int processId, CancellationToken cancellationToken = default) =>
        await connection.Guard(() => connection.Agent.FindProcessAsync(processId, cancellationToken)).ConfigureAwait(false) is { } p ? ToInfo(p) : null;

    /// <inheritdoc/>
    /// <remarks>A target made from this platform owns the connection and closes it itself.</remarks>
    public ValueTask DisposeAsync() => Volatile.Read(ref targetMade) != 0 ? ValueTask.CompletedTask : connection.DisposeAsync();
}
