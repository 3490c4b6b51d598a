using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using TrapDebugger.Protocol.Framing;

namespace TrapDebugger.Adapter.Transport;

/// <summary>The rules of a debugger's TCP port, whatever protocol it speaks (DAP here, the remote agent's JSON-RPC).</summary>
public sealed record ClientGateOptions
{
    /// <summary>How long a connection may stay without authenticating; then it is closed.</summary>
    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many connections may wait to authenticate at once; a new one beyond this closes the oldest waiting.</summary>
    public int MaxWaitingConnections { get; init; } = 8;

    /// <summary>How many authenticated clients are served at once; another is refused while they are connected.</summary>
    public int MaxClients { get; init; } = 1;
}

/// <summary>Accepts TCP connections for a debugger and enforces the rules every network entry point shares: an HTTP
/// request is refused and closed at once (a web page must never reach a debugger), a connection that does not
/// authenticate within <see cref="ClientGateOptions.AuthenticationTimeout"/> is closed, a flood of idle connections
/// can hold at most <see cref="ClientGateOptions.MaxWaitingConnections"/> sockets (the oldest gives way), and one client
/// is served at a time. Tokens are compared in constant time (<see cref="TokenMatches"/>).</summary>
/// <remarks>The protocol on top authenticates (DAP: the first request is <c>initialize</c> with the token) and then calls
/// <see cref="GateConnection.Admit"/>; when it refuses a client it simply ends, and the gate closes the socket.</remarks>
public sealed class ClientGate(ClientGateOptions options, TextWriter? log)
{
    private readonly object gate = new();
    private readonly LinkedList<GateConnection> waiting = new();
    private int clients;

    /// <summary>Accepts connections on <paramref name="listener"/> and runs <paramref name="serve"/> for each until
    /// <paramref name="cancellationToken"/> fires; returns when every connection has ended.</summary>
    public async Task ServeAsync(TcpListener listener, Func<GateConnection, Task> serve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(serve);
        var running = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
                socket.NoDelay = true;
                var connection = new GateConnection(this, socket);
                log?.WriteLine($"trapdbg: connection from {connection.Remote}.");
                Wait(connection);
                running.Add(Task.Run(() => RunAsync(connection, serve), CancellationToken.None));
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        lock (gate)
        {
            foreach (var c in waiting) c.Close();
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>A fresh random token: 32 bytes, hex encoded.</summary>
    public static string GenerateToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="presented"/> is <paramref name="expected"/>, in time that depends on neither
    /// (both are hashed first, so not even the length is revealed).</summary>
    public static bool TokenMatches(string? presented, string expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? ""));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b) & presented is not null;
    }

    private async Task RunAsync(GateConnection connection, Func<GateConnection, Task> serve)
    {
        try
        {
            if (await connection.FirstLineIsHttpAsync().ConfigureAwait(false))
            {
                log?.WriteLine($"trapdbg: refused an HTTP request from {connection.Remote} and closed the connection.");
                return;
            }
            if (connection.IsClosed)
                return;
            await serve(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer or the timeout closed the socket; nothing is left to tell.
        }
        finally
        {
            Leave(connection);
            connection.Close();
        }
    }

    private void Wait(GateConnection connection)
    {
        GateConnection? evicted = null;
        lock (gate)
        {
            if (waiting.Count >= options.MaxWaitingConnections)
            {
                evicted = waiting.First!.Value;
                waiting.RemoveFirst();
            }
            connection.Node = waiting.AddLast(connection);
        }
        if (evicted is not null)
        {
            log?.WriteLine($"trapdbg: closed the connection from {evicted.Remote}: {options.MaxWaitingConnections} connections were already waiting to authenticate.");
            evicted.Close();
        }
        connection.CloseUnlessAdmittedAfter(options.AuthenticationTimeout, log);
    }

    // The protocol authenticated the client: admit it unless the server already serves as many as it may.
    internal string? Admit(GateConnection connection)
    {
        lock (gate)
        {
            if (connection.Admitted)
                return null;
            if (clients >= options.MaxClients)
                return $"Another client is connected; this server serves {(options.MaxClients == 1 ? "one client" : $"{options.MaxClients} clients")} at a time.";
            clients++;
            connection.Admitted = true;
            if (connection.Node is { } node && node.List is not null) waiting.Remove(node);
            connection.Node = null;
            return null;
        }
    }

    private void Leave(GateConnection connection)
    {
        lock (gate)
        {
            if (connection.Admitted)
            {
                clients--;
                connection.Admitted = false;
            }
            if (connection.Node is { } node && node.List is not null) waiting.Remove(node);
            connection.Node = null;
        }
    }

    internal static bool IsHttp(ReadOnlySequence<byte> firstBytes)
    {
        var reader = new SequenceReader<byte>(firstBytes);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            line = firstBytes;
        return HttpRequestLine.Matches(Encoding.Latin1.GetString(line).TrimEnd('\r'));
    }

    // A first line longer than this is not an HTTP request line anyone sends.
    internal const int FirstLineLimit = 8 * 1024;
}

/// <summary>One accepted connection: its byte pipe for the protocol, and the admission the protocol asks for once the
/// client has authenticated.</summary>
public sealed class GateConnection
{
    private readonly ClientGate owner;
    private readonly Socket socket;
    private readonly CancellationTokenSource closed = new();
    private int isClosed;

    internal GateConnection(ClientGate owner, Socket socket)
    {
        this.owner = owner;
        this.socket = socket;
        Remote = socket.RemoteEndPoint;
        var stream = new NetworkStream(socket, ownsSocket: false);
        Pipe = new DuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
    }

    /// <summary>Both directions of the connection.</summary>
    public IDuplexPipe Pipe { get; }

    /// <summary>Who connected.</summary>
    public EndPoint? Remote { get; }

    /// <summary>Signalled when the gate closes the connection (timeout, eviction, shutdown).</summary>
    public CancellationToken Closed => closed.Token;

    /// <summary>True once the connection is closed.</summary>
    public bool IsClosed => Volatile.Read(ref isClosed) != 0;

    internal bool Admitted { get; set; }

    internal LinkedListNode<GateConnection>? Node { get; set; }

    /// <summary>Call once the client has authenticated: null admits it; otherwise the sentence to refuse it with (then end the session).</summary>
    public string? Admit() => owner.Admit(this);

    internal void CloseUnlessAdmittedAfter(TimeSpan timeout, TextWriter? log)
    {
        _ = Task.Delay(timeout, closed.Token).ContinueWith(t =>
        {
            if (t.IsCanceled || Admitted) return;
            log?.WriteLine($"trapdbg: closed the connection from {Remote}: it did not authenticate within {timeout.TotalSeconds:0.#} s.");
            Close();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // Waits for the first line (or the first bytes, when they hold no line end) without consuming it.
    internal async Task<bool> FirstLineIsHttpAsync()
    {
        while (true)
        {
            var result = await Pipe.Input.ReadAsync(closed.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool complete = buffer.PositionOf((byte)'\n') is not null || buffer.Length >= ClientGate.FirstLineLimit || result.IsCompleted;
            if (complete)
            {
                bool http = ClientGate.IsHttp(buffer);
                Pipe.Input.AdvanceTo(buffer.Start);
                return http;
            }
            Pipe.Input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    internal void Close()
    {
        if (Interlocked.Exchange(ref isClosed, 1) != 0) return;
        closed.Cancel();
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
