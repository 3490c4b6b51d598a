using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Adapter.Session.Handlers;
using TrapDebugger.Protocol.Framing;

namespace TrapDebugger.Adapter.Transport;

/// <summary>Runs DAP sessions: one on a pair of streams (stdio), or one per accepted TCP connection.</summary>
public static class DapServer
{
    /// <summary>Runs one session on <paramref name="input"/> and <paramref name="output"/> until the client disconnects.</summary>
    public static async Task RunAsync(Stream input, Stream output, SessionOptions options, FrameLimits? limits = null)
    {
        var connection = DapConnection.FromStreams(input, output, limits);
        var session = new DebugSession(connection, HandlerCatalog.CreateDispatcher(), options);
        await session.RunAsync().ConfigureAwait(false);
    }

    /// <summary>Accepts connections on <paramref name="listener"/> and runs a session for each until <paramref name="cancellationToken"/> fires.</summary>
    /// <remarks>Each connection must authenticate with <see cref="SessionOptions.AuthToken"/> in its first request.</remarks>
    public static async Task ServeAsync(TcpListener listener, SessionOptions options, CancellationToken cancellationToken)
    {
        var sessions = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                client.NoDelay = true;
                options.Log?.WriteLine($"trapdbg dap: connection from {client.Client.RemoteEndPoint}.");
                sessions.Add(Task.Run(async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        await RunAsync(stream, stream, options).ConfigureAwait(false);
                    }
                }, CancellationToken.None));
                sessions.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    /// <summary>A fresh random auth token: 32 bytes, hex encoded.</summary>
    public static string GenerateAuthToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="address"/> only reaches this machine.</summary>
    public static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address);
}
