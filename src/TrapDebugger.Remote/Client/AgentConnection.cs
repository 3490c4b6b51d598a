using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using StreamJsonRpc;
using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Remote.Client;

/// <summary>One JSON-RPC connection to an agent: through a command's stdin/stdout, or TCP with a token. Every call's
/// failure becomes a <see cref="TargetException"/> whose message is one sentence.</summary>
internal sealed class AgentConnection : IAsyncDisposable
{
    private static readonly TimeSpan GreetingTimeout = TimeSpan.FromSeconds(60);
    private readonly JsonRpc rpc;
    private readonly Process? process;
    private readonly TcpClient? tcp;
    private readonly StringBuilder stderrTail = new();
    private readonly Task? stderrReader;
    private int disposed;

    private AgentConnection(JsonRpc rpc, IRemoteAgent agent, string description, Process? process, TcpClient? tcp)
    {
        this.rpc = rpc;
        Agent = agent;
        Description = description;
        this.process = process;
        this.tcp = tcp;
        if (process is not null)
            stderrReader = Task.Run(ReadStandardErrorAsync);
    }

    /// <summary>The agent's contract.</summary>
    public IRemoteAgent Agent { get; }

    /// <summary>The command line or address, for messages.</summary>
    public string Description { get; }

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => rpc.Completion;

    /// <summary>Who answered.</summary>
    public AgentGreeting? Greeting { get; private set; }

    /// <summary>True once a call found the connection gone (the agent exited, was killed, or the network dropped).</summary>
    public bool IsLost => Volatile.Read(ref lost);

    private bool lost;

    /// <summary>Connects to the agent at <paramref name="endpoint"/> and checks that it answers.</summary>
    /// <exception cref="TargetException">The agent cannot be started, reached or authenticated; the message says why.</exception>
    public static async Task<AgentConnection> OpenAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var connection = endpoint.Pipe is { Count: > 0 } ? StartCommand(endpoint) : await ConnectTcpAsync(endpoint, cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(GreetingTimeout);
            var greeting = connection.tcp is not null
                ? connection.Agent.AuthenticateAsync(ReadToken(endpoint), timeout.Token)
                : connection.Agent.GreetAsync(timeout.Token);
            var ended = connection.process is { } p ? p.WaitForExitAsync(timeout.Token) : Task.Delay(Timeout.Infinite, timeout.Token);
            var first = await Task.WhenAny(greeting, ended, connection.Completion).ConfigureAwait(false);
            if (first != greeting && !greeting.IsCompleted)
            {
                if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    throw new TargetException($"the agent ({connection.Description}) did not answer within {GreetingTimeout.TotalSeconds:0} s.");
                cancellationToken.ThrowIfCancellationRequested();
                throw new TargetException(connection.LostSentence("ended before it answered"));
            }
            connection.Greeting = await connection.Guard(() => greeting).ConfigureAwait(false);
            if (connection.Greeting.Protocol != RpcConnection.ProtocolVersion)
                throw new TargetException($"the agent ({connection.Description}) speaks protocol {connection.Greeting.Protocol}, this trapdbg speaks {RpcConnection.ProtocolVersion}: install the same trapdbg on both ends.");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string ReadToken(RemoteEndpoint endpoint)
    {
        if (endpoint.Token is { Length: > 0 } token)
            return token;
        if (endpoint.TokenFile is not { Length: > 0 } path)
            throw new TargetException($"the agent at {endpoint.Address} needs its token: give 'tokenFile'.");
        try
        {
            var text = File.ReadLines(path).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(text) ? throw new TargetException($"the token file '{path}' is empty.") : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TargetException($"cannot read the token file '{path}': {e.Message}", e);
        }
    }

    private static AgentConnection StartCommand(RemoteEndpoint endpoint)
    {
        var argv = endpoint.Pipe!;
        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in argv.Skip(1))
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new TargetException($"cannot start the agent command '{argv[0]}'.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TargetException($"cannot start the agent command '{argv[0]}': {e.Message}.", e);
        }
        var rpc = RpcConnection.Create(process.StandardOutput.BaseStream, process.StandardInput.BaseStream, out _);
        var agent = rpc.Attach<IRemoteAgent>();
        rpc.StartListening();
        return new AgentConnection(rpc, agent, endpoint.Describe(), process, null);
    }

    private static async Task<AgentConnection> ConnectTcpAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        var address = endpoint.Address ?? throw new TargetException("the remote agent needs 'pipe' (a command) or 'address' (host:port).");
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
            throw new TargetException($"the agent address '{address}' is not host:port.");
        var host = address[..colon].Trim('[', ']');
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            tcp.Dispose();
            throw new TargetException($"cannot reach the agent at {address}: {e.Message}.", e);
        }
        var stream = tcp.GetStream();
        await stream.WriteAsync(AgentPreamble.Bytes, cancellationToken).ConfigureAwait(false);
        var rpc = RpcConnection.Create(stream, stream, out _);
        var agent = rpc.Attach<IRemoteAgent>();
        rpc.StartListening();
        return new AgentConnection(rpc, agent, address, null, tcp);
    }

    private async Task ReadStandardErrorAsync()
    {
        try
        {
            var buffer = new char[1024];
            while (true)
            {
                int n = await process!.StandardError.ReadAsync(buffer).ConfigureAwait(false);
                if (n <= 0)
                    break;
                lock (stderrTail)
                {
                    stderrTail.Append(buffer, 0, n);
                    if (stderrTail.Length > 4096)
                        stderrTail.Remove(0, stderrTail.Length - 4096);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>The sentence that says the agent went away, with the last thing its command wrote to stderr.</summary>
    public string LostSentence(string what = "closed the connection")
    {
        string tail;
        lock (stderrTail)
            tail = string.Join(" ", stderrTail.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(2));
        string exit = "";
        try
        {
            if (process is { HasExited: true } p)
                exit = $" (exit code {p.ExitCode})";
        }
        catch (InvalidOperationException)
        {
        }
        return $"The agent ({Description}) {what}{exit}{(tail.Length > 0 ? $": {tail.TrimEnd('.')}" : "")}.";
    }

    /// <summary>Runs a call and turns its failure into one sentence.</summary>
    public async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RemoteInvocationException e)
        {
            throw new TargetException(e.Message, e);
        }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or RemoteRpcException or IOException)
        {
            Volatile.Write(ref lost, true);
            if (stderrReader is not null)
                await Task.WhenAny(stderrReader, Task.Delay(200)).ConfigureAwait(false);
            throw new TargetException(LostSentence(), e);
        }
    }

    /// <summary>Runs a call without a result and turns its failure into one sentence.</summary>
    public Task Guard(Func<Task> call) => Guard(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });

    /// <summary>Runs a call and waits for it on this thread (for the synchronous memory and file reads).</summary>
    public T GuardSync<T>(Func<Task<T>> call) => Task.Run(() => Guard(call)).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        rpc.Dispose();
        tcp?.Dispose();
        if (process is not null)
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
            process.Dispose();
        }
    }
}
