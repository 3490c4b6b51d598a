using System.IO.Pipelines;
using StreamJsonRpc;
using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Remote.Agent;

/// <summary>Serves the agent's JSON-RPC on one connection (stdio, or one accepted TCP connection) until it ends, then
/// lets the debugged process go.</summary>
public static class AgentHost
{
    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(2);

    /// <summary>Serves <paramref name="input"/>/<paramref name="output"/> until the peer closes them or
    /// <paramref name="cancellationToken"/> fires.</summary>
    public static Task RunAsync(Stream input, Stream output, AgentOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(PipeReader.Create(input), PipeWriter.Create(output), options, cancellationToken);

    /// <summary>Serves one connection's pipes until the peer closes them or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(PipeReader input, PipeWriter output, AgentOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var service = new AgentService(options);
        using var rpc = RpcConnection.Create(input, output, out var handler);
        rpc.AddLocalRpcTarget(RpcTargetMetadata.FromShape<IRemoteAgent>(), service, null);
        // The refused client closes the connection as soon as it reads its sentence; one that does not is closed here a
        // little later (the answer is written after the refusal, so closing at once could lose it on a busy machine).
        service.Refused += () => _ = Task.Delay(RefusalGrace).ContinueWith(_ => rpc.Dispose(), TaskScheduler.Default);
        rpc.StartListening();
        using (cancellationToken.Register(rpc.Dispose))
        {
            try
            {
                await rpc.Completion.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // However the connection ended (closed, broken, refused), the process is let go below.
                options.Log?.WriteLine($"trapdbg agent: the connection ended: {e.Message}");
            }
        }
        if (handler.Refusal is { } refusal)
            options.Log?.WriteLine($"trapdbg agent: {refusal}");
        await service.EndAsync().ConfigureAwait(false);
    }
}
