using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using StreamJsonRpc;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Remote.Client;
using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Wire;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Tests;

/// <summary>The TCP agent (<c>trapdbg agent --listen</c>, a real process): no token, a wrong token, an HTTP request with an
/// <c>Origin:</c> header and a second client are each refused with one sentence; a bounded flood of connections and of
/// undecodable messages does not stop it serving the authenticated client.</summary>
public sealed class RemoteAgentTcpTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static RemoteEndpoint Endpoint(int port, string token) => new() { Address = $"127.0.0.1:{port}", Token = token };

    [Fact]
    public async Task RefusesWhatItMustAndKeepsServingTheAuthenticatedClient()
    {
        var (agent, port, token, log) = await AgentProcess.ListenAsync();
        try
        {
            // A call before the token gets one sentence.
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync("127.0.0.1", port, Cancel);
                await tcp.GetStream().WriteAsync(AgentPreamble.Bytes, Cancel);
                using var rpc = RpcConnection.Create(tcp.GetStream(), tcp.GetStream(), out _);
                var raw = rpc.Attach<IRemoteAgent>();
                rpc.StartListening();
                var e = await Assert.ThrowsAsync<RemoteInvocationException>(() => raw.ListProcessesAsync(Cancel));
                Assert.Equal("The agent needs the token first: call AuthenticateAsync.", e.Message);
            }

            var wrong = await Assert.ThrowsAsync<TargetException>(() => RemotePlatform.ConnectAsync(Endpoint(port, new string('0', 64)), Cancel));
            Assert.Equal("The agent refused the connection: the token is wrong.", wrong.Message);

            // A web page's request (HTTP, with Origin) is closed without an answer.
            using (var browser = new TcpClient())
            {
                await browser.ConnectAsync("127.0.0.1", port, Cancel);
                var request = Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://example.test\r\nContent-Length: 2\r\n\r\n{}");
                await browser.GetStream().WriteAsync(request, Cancel);
                var buffer = new byte[256];
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
                limit.CancelAfter(TimeSpan.FromSeconds(20));
                Assert.Equal(0, await browser.GetStream().ReadAsync(buffer, limit.Token));
            }

            await using var first = await RemotePlatform.ConnectAsync(Endpoint(port, token), Cancel);
            Assert.NotEmpty(await first.ListProcessesAsync(Cancel));

            var second = await Assert.ThrowsAsync<TargetException>(() => RemotePlatform.ConnectAsync(Endpoint(port, token), Cancel));
            Assert.Equal("Another client is connected; this server serves one client at a time.", second.Message);

            // A bounded flood: idle sockets, garbage frames and huge declared lengths.
            var flood = new List<TcpClient>();
            var random = new Random(13);
            for (int i = 0; i < 40; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", port, Cancel);
                flood.Add(c);
                if (i % 3 == 1)
                    await c.GetStream().WriteAsync(AgentPreamble.Bytes, Cancel);
                if (i % 2 == 0)
                {
                    var garbage = new byte[4 + random.Next(1, 200)];
                    random.NextBytes(garbage);
                    BinaryPrimitives.WriteInt32BigEndian(garbage, i % 4 == 0 ? garbage.Length - 4 : int.MaxValue);
                    try
                    {
                        await c.GetStream().WriteAsync(garbage, Cancel);
                    }
                    catch (IOException)
                    {
                        // The agent may already have closed it.
                    }
                }
            }
            Assert.NotEmpty(await first.ListProcessesAsync(Cancel));
            foreach (var c in flood) c.Dispose();
            Assert.False(agent.HasExited, string.Join('\n', log));
        }
        finally
        {
            AgentProcess.Kill(agent);
        }
    }

    [Fact]
    public async Task PsThroughTheTcpAgentListsItsHostsProcesses()
    {
        var (agent, port, token, log) = await AgentProcess.ListenAsync();
        var tokenFile = Path.Combine(Path.GetTempPath(), $"trapdbg-token-{Environment.ProcessId}");
        try
        {
            await File.WriteAllTextAsync(tokenFile, token + "\n", Cancel);
            var output = new StringWriter();
            var error = new StringWriter();
            var status = await Cli.Commands.PsCommand.ListAsync(new RemoteEndpoint { Address = $"127.0.0.1:{port}", TokenFile = tokenFile }, true, output, error, Cancel);
            Assert.True(status == 0, error.ToString());
            var pids = System.Text.Json.JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray().Select(r => r.GetProperty("pid").GetInt32()).ToList();
            Assert.Contains(Environment.ProcessId, pids);
            Assert.Contains(agent.Id, pids);

            await File.WriteAllTextAsync(tokenFile, new string('1', 64) + "\n", Cancel);
            error = new StringWriter();
            Assert.Equal(1, await Cli.Commands.PsCommand.ListAsync(new RemoteEndpoint { Address = $"127.0.0.1:{port}", TokenFile = tokenFile }, true, new StringWriter(), error, Cancel));
            Assert.Equal("trapdbg ps: The agent refused the connection: the token is wrong.", error.ToString().Trim());
            Assert.False(agent.HasExited, string.Join('\n', log));
        }
        finally
        {
            File.Delete(tokenFile);
            AgentProcess.Kill(agent);
        }
    }

    [Fact]
    public async Task UndecodableMessagesGetParseErrorsAndTheConnectionStillWorks()
    {
        var (agent, port, token, log) = await AgentProcess.ListenAsync();
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port, Cancel);
            var stream = tcp.GetStream();
            await stream.WriteAsync(AgentPreamble.Bytes, Cancel);
            var random = new Random(7);
            const int garbageCount = 10;
            for (int i = 0; i < garbageCount; i++)
            {
                // 0xc1 is the one byte MessagePack never uses: these bodies cannot decode.
                var body = new byte[random.Next(1, 64)];
                random.NextBytes(body);
                body[0] = 0xc1;
                var frame = new byte[4 + body.Length];
                BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
                body.CopyTo(frame, 4);
                await stream.WriteAsync(frame, Cancel);
            }
            // Each is answered with a parse error (a frame of its own), read here so the client below starts clean.
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
            {
                limit.CancelAfter(TimeSpan.FromSeconds(30));
                var header = new byte[4];
                for (int i = 0; i < garbageCount; i++)
                {
                    await stream.ReadExactlyAsync(header, limit.Token);
                    var answer = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
                    await stream.ReadExactlyAsync(answer, limit.Token);
                    Assert.Contains("not a JSON-RPC 2.0 message", Encoding.UTF8.GetString(answer), StringComparison.Ordinal);
                }
            }
            // The same connection then speaks properly and is answered.
            using var rpc = RpcConnection.Create(stream, stream, out _);
            var raw = rpc.Attach<IRemoteAgent>();
            rpc.StartListening();
            var greeting = await raw.AuthenticateAsync(token, Cancel).WaitAsync(TimeSpan.FromSeconds(30), Cancel);
            Assert.Equal(Environment.MachineName, greeting.Host);
            Assert.NotEmpty(await raw.ListProcessesAsync(Cancel));
            Assert.False(agent.HasExited, string.Join('\n', log));
        }
        finally
        {
            AgentProcess.Kill(agent);
        }
    }
}
