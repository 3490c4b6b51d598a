using System.Buffers.Binary;
using System.Globalization;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>Malformed and hostile JSON-RPC never crashes, hangs or desynchronises the agent: every mutant of a real request
/// is answered with an error (or served, when the mutation left it valid) and the agent keeps answering; a frame that
/// declares more than any message takes closes the connection with one sentence.</summary>
/// <remarks>The suite runs a fixed-seed sample; <c>bench/remote/fuzz.sh</c> runs the same harness at scale with
/// TRAPDBG_RPC_FUZZ_MUTANTS, TRAPDBG_RPC_FUZZ_SEED and TRAPDBG_RPC_FUZZ_FIRST (to reproduce one mutant).</remarks>
public sealed class AgentRpcFuzzTests(ITestOutputHelper output)
{
    private const int SampleMutants = 3000;
    private const int SampleSeed = 20261207;

    [Fact]
    public async Task Mutated_requests_are_answered_and_the_agent_keeps_serving()
    {
        int count = Setting("TRAPDBG_RPC_FUZZ_MUTANTS", SampleMutants);
        int seed = Setting("TRAPDBG_RPC_FUZZ_SEED", SampleSeed);
        int first = Setting("TRAPDBG_RPC_FUZZ_FIRST", 0);
        var report = await new AgentRpcFuzzer(seed).RunAsync(first, count, TestContext.Current.CancellationToken);
        output.WriteLine(report.ToString());
        foreach (var f in report.Failures.Take(20)) output.WriteLine(f);
        Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} failures; first: {report.Failures.FirstOrDefault()}");
        // The sample must reach both the decoder and the methods behind it, or it tests only one of them.
        Assert.True(report.ParseErrors > count / 20, report.ToString());
        Assert.True(report.Errors > count / 20, report.ToString());
        Assert.True(report.Results > 0, report.ToString());
    }

    [Theory]
    [InlineData("nil")]
    [InlineData("number")]
    [InlineData("map")]
    [InlineData("empty")]
    [InlineData("absent")]
    public async Task A_request_that_names_no_method_gets_an_error_and_the_connection_goes_on(string method)
    {
        var log = new List<string>();
        var agent = AgentProcess.Start(["agent", "--stdio"], log);
        try
        {
            var input = agent.StandardInput.BaseStream;
            var output = agent.StandardOutput.BaseStream;
            await WriteFrameAsync(input, Message((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteMapHeader(method == "absent" ? 3 : 4);
                w.Write("jsonrpc"); w.Write("2.0");
                w.Write("id"); w.Write(5);
                if (method != "absent")
                {
                    w.Write("method");
                    switch (method)
                    {
                        case "nil": w.WriteNil(); break;
                        case "number": w.Write(17); break;
                        case "map": w.WriteMapHeader(0); break;
                        default: w.Write(""); break;
                    }
                }
                w.Write("params"); w.WriteArrayHeader(0);
            }));
            var (id, code, message) = ErrorOf(await ReadFrameAsync(output));
            // Either the decoder refuses the message (parse error, no id) or it reaches the request's own answer.
            Assert.True((id, code) is (-1, -32700) or (5, -32600), $"id {id}, code {code}: {message}");
            // The next request on the same connection is served.
            await WriteFrameAsync(input, Message((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteMapHeader(4);
                w.Write("jsonrpc"); w.Write("2.0");
                w.Write("id"); w.Write(6);
                w.Write("method"); w.Write("GreetAsync");
                w.Write("params"); w.WriteArrayHeader(0);
            }));
            var greeting = ErrorOf(await ReadFrameAsync(output));
            Assert.Equal((6L, -1), (greeting.Id, greeting.Code));
            Assert.False(agent.HasExited, string.Join('\n', log));
        }
        finally
        {
            AgentProcess.Kill(agent);
        }
    }

    [Fact]
    public async Task Describing_a_fifo_or_a_device_answers_at_once_and_opens_nothing()
    {
        var fifo = Path.Combine(Path.GetTempPath(), $"trapdbg-fifo-{Environment.ProcessId}");
        File.Delete(fifo);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        var log = new List<string>();
        var agent = AgentProcess.Start(["agent", "--stdio"], log);
        try
        {
            using var rpc = RpcConnection.Create(agent.StandardOutput.BaseStream, agent.StandardInput.BaseStream, out _);
            var remote = rpc.Attach<TrapDebugger.Remote.Contract.IRemoteAgent>();
            rpc.StartListening();
            foreach (var path in new[] { fifo, "/dev/zero", "/dev/null" })
                Assert.Null(await remote.DescribeFileAsync(path, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            Assert.NotNull(await remote.DescribeFileAsync("/bin/sh", TestContext.Current.CancellationToken));
        }
        finally
        {
            AgentProcess.Kill(agent);
            File.Delete(fifo);
        }
    }

    // The writer is a struct: it is written through a reference, or the writes land in a copy.
    private delegate void Writing(ref MessagePack.MessagePackWriter writer);

    private static byte[] Message(Writing write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteFrameAsync(Stream output, byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await output.WriteAsync(frame, TestContext.Current.CancellationToken);
        await output.FlushAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<byte[]> ReadFrameAsync(Stream input)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        var header = new byte[4];
        await input.ReadExactlyAsync(header, limit.Token);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await input.ReadExactlyAsync(body, limit.Token);
        return body;
    }

    // The id and the error's code and message of an answer; code -1 when it is a result.
    private static (long Id, int Code, string? Message) ErrorOf(byte[] answer)
    {
        var reader = new MessagePack.MessagePackReader(answer);
        long id = -1;
        int code = -1;
        string? message = null;
        int fields = reader.ReadMapHeader();
        for (int f = 0; f < fields; f++)
        {
            switch (reader.ReadString())
            {
                case "id":
                    if (!reader.TryReadNil()) id = reader.ReadInt64();
                    break;
                case "error":
                    int detail = reader.ReadMapHeader();
                    for (int d = 0; d < detail; d++)
                    {
                        switch (reader.ReadString())
                        {
                            case "code": code = reader.ReadInt32(); break;
                            case "message": message = reader.ReadString(); break;
                            default: reader.Skip(); break;
                        }
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return (id, code, message);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(GuardedMessageHandler.MaxFrameBytes + 1)]
    [InlineData(-1)]
    public async Task A_frame_longer_than_any_message_closes_the_connection_with_one_sentence(int declared)
    {
        var log = new List<string>();
        var agent = AgentProcess.Start(["agent", "--stdio"], log);
        try
        {
            var header = new byte[4 + 16];
            BinaryPrimitives.WriteInt32BigEndian(header, declared);
            await agent.StandardInput.BaseStream.WriteAsync(header, TestContext.Current.CancellationToken);
            await agent.StandardInput.BaseStream.FlushAsync(TestContext.Current.CancellationToken);
            // The agent ends the connection (its output closes) without reading the gigabytes; stdio is its only one, so it exits.
            await agent.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.Equal(0, agent.ExitCode);
            lock (log)
            {
                Assert.Contains(log, l => l == $"trapdbg agent: closed the connection: a message declared {(uint)declared} bytes, more than the 64 MB any message of the protocol takes.");
                Assert.DoesNotContain(log, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
            }
        }
        finally
        {
            AgentProcess.Kill(agent);
        }
    }

    private static int Setting(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
