using System.Net;
using System.Net.Sockets;
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

    /// <summary>Accepts connections on <paramref name="listener"/> through a <see cref="ClientGate"/> and runs a session for each
    /// until <paramref name="cancellationToken"/> fires.</summary>
    /// <remarks>Each connection must authenticate with <see cref="SessionOptions.AuthToken"/> in its first request.</remarks>
    public static Task ServeAsync(TcpListener listener, SessionOptions options, CancellationToken cancellationToken, ClientGateOptions? gateOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gate = new ClientGate(gateOptions ?? new ClientGateOptions(), options.Log);
        return gate.ServeAsync(listener, async connection =>
        {
            var dap = new DapConnection(connection.Pipe.Input, connection.Pipe.Output, FrameLimits.Default);
            var session = new DebugSession(dap, HandlerCatalog.CreateDispatcher(), new SessionOptions
            {
                AuthToken = options.AuthToken,
                Log = options.Log,
                Admit = connection.Admit,
            });
            await session.RunAsync().ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>A fresh random auth token: 32 bytes, hex encoded.</summary>
    public static string GenerateAuthToken() => ClientGate.GenerateToken();

    /// <summary>Whether <paramref name="address"/> only reaches this machine.</summary>
    public static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address);
}
