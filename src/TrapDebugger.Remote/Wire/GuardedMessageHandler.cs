using System.Buffers;
using System.IO.Pipelines;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace TrapDebugger.Remote.Wire;

/// <summary>Length-prefixed MessagePack frames, where a message that cannot be decoded is answered with a JSON-RPC
/// parse error and skipped (its frame is whole, so the next one is read), a peer that keeps sending such messages is
/// disconnected, and so is one that declares a frame longer than any message of the protocol (before it is buffered).</summary>
internal sealed class GuardedMessageHandler(PipeWriter output, PipeReader input, IJsonRpcMessageFormatter formatter)
    : LengthHeaderMessageHandler(output, input, formatter)
{
    // A peer that sends this many undecodable messages in a row is not a client that went wrong once.
    private const int MaxMalformedInARow = 16;

    /// <summary>The longest frame either end accepts: far above the largest message (a stop with every thread's registers
    /// and its pages, an 8 MB memory read), far below what a hostile length would make the reader buffer.</summary>
    public const int MaxFrameBytes = 64 << 20;
    private int malformedInARow;

    /// <summary>The sentence that says why the connection was ended, when it was the peer's garbage.</summary>
    public string? Refusal { get; private set; }

    /// <inheritdoc/>
    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await DeclaredLengthAsync(cancellationToken).ConfigureAwait(false) is int length and (< 0 or > MaxFrameBytes))
            {
                Refusal = $"closed the connection: a message declared {(uint)length} bytes, more than the {MaxFrameBytes >> 20} MB any message of the protocol takes.";
                return null;
            }
            try
            {
                var message = await base.ReadCoreAsync(cancellationToken).ConfigureAwait(false);
                if (message is JsonRpcRequest { Method: null or "" } nameless)
                {
                    // A request that names no method would end the connection inside StreamJsonRpc: it is answered here,
                    // and its frame released as the connection would release it once read.
                    ((StreamJsonRpc.Reflection.IJsonRpcMessageBufferManager)this).DeserializationComplete(nameless);
                    if (++malformedInARow >= MaxMalformedInARow)
                    {
                        Refusal = $"closed the connection after {MaxMalformedInARow} messages in a row that were not JSON-RPC.";
                        return null;
                    }
                    await AnswerErrorAsync(nameless.RequestId, JsonRpcErrorCode.InvalidRequest, "The request names no method.", cancellationToken).ConfigureAwait(false);
                    continue;
                }
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

    // The next frame's big-endian length, looked at without consuming it; null at the end of the stream.
    private async ValueTask<int?> DeclaredLengthAsync(CancellationToken cancellationToken)
    {
        var reader = Reader ?? throw new InvalidOperationException("the handler has no reader");
        var result = await reader.ReadAtLeastAsync(4, cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        int? length = null;
        if (buffer.Length >= 4)
        {
            Span<byte> header = stackalloc byte[4];
            buffer.Slice(0, 4).CopyTo(header);
            length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header);
        }
        reader.AdvanceTo(buffer.Start);
        return length;
    }

    private static bool IsDecodingFailure(Exception e) =>
        e is not (OperationCanceledException or ObjectDisposedException or IOException or OutOfMemoryException);

    private Task AnswerParseErrorAsync(Exception e, CancellationToken cancellationToken) =>
        AnswerErrorAsync(default, JsonRpcErrorCode.ParseError, $"The message is not a JSON-RPC 2.0 message this agent can read ({e.GetType().Name}).", cancellationToken);

    private async Task AnswerErrorAsync(RequestId id, JsonRpcErrorCode code, string message, CancellationToken cancellationToken)
    {
        if (Formatter is not IJsonRpcMessageFactory factory)
            return;
        var error = factory.CreateErrorMessage();
        error.RequestId = id;
        error.Error = new JsonRpcError.ErrorDetail { Code = code, Message = message };
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
