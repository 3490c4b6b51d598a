using System.IO.Pipelines;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace TrapDebugger.Remote.Wire;

/// <summary>Length-prefixed MessagePack frames, where a message that cannot be decoded is answered with a JSON-RPC
/// parse error and skipped (its frame is whole, so the next one is read), and a peer that keeps sending such messages
/// is disconnected.</summary>
internal sealed class GuardedMessageHandler(PipeWriter output, PipeReader input, IJsonRpcMessageFormatter formatter)
    : LengthHeaderMessageHandler(output, input, formatter)
{
    // A peer that sends this many undecodable messages in a row is not a client that went wrong once.
    private const int MaxMalformedInARow = 16;
    private int malformedInARow;

    /// <summary>The sentence that says why the connection was ended, when it was the peer's garbage.</summary>
    public string? Refusal { get; private set; }

    /// <inheritdoc/>
    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var message = await base.ReadCoreAsync(cancellationToken).ConfigureAwait(false);
                malformedInARow = 0;
                return message;
            }
            catch (Exception e) when (IsDecodingFailure(e))
            {
                if (++malformedInARow >= MaxMalformedInARow)
                {
                    Refusal = $"closed the connection after {MaxMalformedInARow} messages in a row that were not JSON-RPC.";
                    return null;
                }
                await AnswerParseErrorAsync(e, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsDecodingFailure(Exception e) =>
        e is not (OperationCanceledException or ObjectDisposedException or IOException or OutOfMemoryException);

    private async Task AnswerParseErrorAsync(Exception e, CancellationToken cancellationToken)
    {
        if (Formatter is not IJsonRpcMessageFactory factory)
            return;
        var error = factory.CreateErrorMessage();
        error.RequestId = default;
        error.Error = new JsonRpcError.ErrorDetail
        {
            Code = JsonRpcErrorCode.ParseError,
            Message = $"The message is not a JSON-RPC 2.0 message this agent can read ({e.GetType().Name}).",
        };
        try
        {
            await WriteAsync(error, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The peer is gone; nothing is left to tell it.
        }
    }
}
