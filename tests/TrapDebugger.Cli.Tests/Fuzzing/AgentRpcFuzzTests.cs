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
