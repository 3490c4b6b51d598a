using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Adapter.Transport;
using TrapDebugger.Protocol.Framing;

namespace TrapDebugger.Adapter.Tests;

/// <summary><c>trapdbg dap --port</c> over real loopback sockets: what is refused, what is closed, and that a flood of idle
/// sockets neither grows without bound nor keeps the authenticated client out.</summary>
public sealed class ClientGateTests
{
    private const string Token = "gate-test-token-0123456789";

    [Fact]
    public async Task A_connection_that_says_nothing_is_closed_after_the_authentication_timeout()
    {
        await using var server = Server.Start(new ClientGateOptions { AuthenticationTimeout = TimeSpan.FromMilliseconds(500) });
        using var client = await server.ConnectAsync();
        Assert.True((await client.ReadAsync()).IsEndOfStream);
        Assert.Contains("did not authenticate within 0.5 s", server.Log);
    }

    [Fact]
    public async Task An_HTTP_request_is_closed_without_an_answer()
    {
        await using var server = Server.Start(new ClientGateOptions());
        using var client = await server.ConnectAsync();
        await client.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://example.com\r\n\r\n"));
        Assert.True((await client.ReadAsync()).IsEndOfStream);
        Assert.Contains("refused an HTTP request", server.Log);
    }

    [Fact]
    public async Task A_message_with_an_Origin_header_is_refused_and_the_connection_closed()
    {
        await using var server = Server.Start(new ClientGateOptions());
        using var client = await server.ConnectAsync();
        var body = Encoding.UTF8.GetBytes(Initialize(Token));
        await client.SendAsync([.. Encoding.ASCII.GetBytes($"Origin: http://example.com\r\nContent-Length: {body.Length}\r\n\r\n"), .. body]);
        var notice = await client.ReadMessageAsync();
        Assert.Equal("Refused a message with an Origin header: web pages may not talk to the debugger.\n", (string?)notice!["body"]!["output"]);
        Assert.True((await client.ReadAsync()).IsEndOfStream);
    }

    [Fact]
    public async Task A_wrong_token_gets_one_error_and_the_connection_closed()
    {
        await using var server = Server.Start(new ClientGateOptions());
        using var client = await server.ConnectAsync();
        await client.SendAsync(Framed(Initialize("wrong")));
        var response = await client.ReadMessageAsync();
        Assert.False((bool)response!["success"]!);
        Assert.True((await client.ReadAsync()).IsEndOfStream);
    }

    [Fact]
    public async Task A_flood_of_idle_sockets_is_bounded_and_the_authenticated_client_is_served()
    {
        await using var server = Server.Start(new ClientGateOptions { MaxWaitingConnections = 4, AuthenticationTimeout = TimeSpan.FromSeconds(60) });
        var flood = new List<Client>();
        for (int i = 0; i < 40; i++) flood.Add(await server.ConnectAsync());
        using var client = await server.ConnectAsync();
        await client.SendAsync(Framed(Initialize(Token)));
        var response = await client.ReadMessageAsync();
        Assert.True((bool)response!["success"]!, (string?)response["message"]);
        // All but the newest few idle sockets were closed by the server; at most the bound is held open.
        var closed = await Task.WhenAll(flood.Select(f => f.IsClosedByServerAsync(TimeSpan.FromSeconds(5))));
        Assert.True(closed.Count(c => !c) <= 4, $"{closed.Count(c => !c)} idle sockets are still open");
        foreach (var f in flood) f.Dispose();
    }

    [Fact]
    public async Task A_second_client_is_refused_while_one_is_served_and_admitted_after_it_leaves()
    {
        await using var server = Server.Start(new ClientGateOptions());
        var first = await server.ConnectAsync();
        await first.SendAsync(Framed(Initialize(Token)));
        Assert.True((bool)(await first.ReadMessageAsync())!["success"]!);

        using (var second = await server.ConnectAsync())
        {
            await second.SendAsync(Framed(Initialize(Token)));
            var refused = await second.ReadMessageAsync();
            Assert.Equal("Another client is connected; this server serves one client at a time.", (string?)refused!["message"]);
            Assert.True((await second.ReadAsync()).IsEndOfStream);
        }

        first.Dispose();
        // The first session ends asynchronously after its socket closes: try again until it has left.
        for (int attempt = 0; ; attempt++)
        {
            using var third = await server.ConnectAsync();
            await third.SendAsync(Framed(Initialize(Token)));
            if ((bool)(await third.ReadMessageAsync())!["success"]!) break;
            Assert.True(attempt < 50, "the third client was never admitted");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData("secret", "secret", true)]
    [InlineData("secret", "secreT", false)]
    [InlineData("secret", "secret-longer", false)]
    [InlineData(null, "secret", false)]
    public void Tokens_match_only_when_equal(string? presented, string expected, bool matches) =>
        Assert.Equal(matches, ClientGate.TokenMatches(presented, expected));

    private static string Initialize(string token) =>
        """{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"trapdbg","trapdbgAuthToken":""" + "\"" + token + "\"}}";

    private static byte[] Framed(string json) => InMemoryDapClient.Frame(json);

    private sealed class Server : IAsyncDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new();
        private readonly StringWriter log = new();
        private readonly Task serving;

        private Server(ClientGateOptions options)
        {
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(backlog: 128);
            serving = DapServer.ServeAsync(listener, new SessionOptions { AuthToken = Token, Log = TextWriter.Synchronized(log) }, stop.Token, options);
        }

        public static Server Start(ClientGateOptions options) => new(options);

        public string Log { get { lock (log) return log.ToString(); } }

        public async Task<Client> ConnectAsync()
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            return new Client(tcp);
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await serving.WaitAsync(TimeSpan.FromSeconds(30));
            listener.Stop();
        }
    }

    private sealed class Client(TcpClient tcp) : IDisposable
    {
        private readonly NetworkStream stream = tcp.GetStream();
        private FrameReader? frames;

        public async Task SendAsync(byte[] bytes)
        {
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }

        public async Task<Frame> ReadAsync()
        {
            frames ??= new FrameReader(PipeReader.Create(stream), FrameLimits.Default);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                return await frames.ReadAsync(timeout.Token);
            }
            catch (IOException)
            {
                return Frame.EndOfStream; // reset by the server
            }
        }

        public async Task<JsonObject?> ReadMessageAsync()
        {
            var frame = await ReadAsync();
            return frame.IsEndOfStream ? null : JsonNode.Parse(frame.Payload)!.AsObject();
        }

        // True when the server closed the socket: a read ends (0 bytes or a reset) instead of waiting.
        public async Task<bool> IsClosedByServerAsync(TimeSpan wait)
        {
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                return await stream.ReadAsync(new byte[1], timeout.Token) == 0;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            catch (IOException)
            {
                return true;
            }
        }

        public void Dispose() => tcp.Dispose();
    }
}
