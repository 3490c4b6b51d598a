using System.IO.Pipelines;
using System.Text.Json.Serialization.Metadata;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Framing;
using TrapDebugger.Protocol.Messages;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Transport;

/// <summary>One DAP byte stream: a frame reader and a serialized writer that numbers outgoing messages.</summary>
/// <remarks>Sends may come from any thread (the engine reports stops from its tracer thread); a lock keeps frames whole
/// and sequence numbers in send order.</remarks>
public sealed class DapConnection : IAsyncDisposable
{
    private readonly PipeReader input;
    private readonly PipeWriter output;
    private readonly FrameReader frames;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly CancellationTokenSource closed = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource<Response>> reverseRequests = new();
    private int nextSeq = 1;

    /// <summary>Creates a connection over two pipes.</summary>
    public DapConnection(PipeReader input, PipeWriter output, FrameLimits limits)
    {
        this.input = input;
        this.output = output;
        frames = new FrameReader(input, limits);
    }

    /// <summary>Creates a connection over two streams (stdin/stdout, or both directions of a socket).</summary>
    public static DapConnection FromStreams(Stream input, Stream output, FrameLimits? limits = null) =>
        new(PipeReader.Create(input), PipeWriter.Create(output), limits ?? FrameLimits.Default);

    /// <summary>Signalled when the connection is closed by either side.</summary>
    public CancellationToken Closed => closed.Token;

    /// <summary>Reads the next frame; returns <see cref="Frame.EndOfStream"/> once the connection is closed by either side.</summary>
    public async ValueTask<Frame> ReadFrameAsync()
    {
        try
        {
            return await frames.ReadAsync(closed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return Frame.EndOfStream;
        }
    }

    /// <summary>Sends a response; its sequence number is assigned here.</summary>
    public Task SendAsync(Response response) => SendAsync(response, static (r, seq) => { r.Seq = seq; return MessageEncoder.Encode(r); });

    /// <summary>Sends an event without a body.</summary>
    public Task SendEventAsync(string name) =>
        SendAsync(new Event { EventName = name }, static (e, seq) => { e.Seq = seq; return MessageEncoder.Encode(e); });

    /// <summary>Sends an event with a typed body; safe to call from any thread.</summary>
    public Task SendEventAsync<T>(string name, T body, JsonTypeInfo<T> bodyType) =>
        SendAsync(new Event { EventName = name, Body = MessageEncoder.ToElement(body, bodyType) },
            static (e, seq) => { e.Seq = seq; return MessageEncoder.Encode(e); });

    /// <summary>Sends an <c>output</c> event.</summary>
    public Task SendOutputAsync(string category, string text) =>
        SendEventAsync(EventNames.Output, new OutputEventBody { Category = category, Output = text }, ProtocolJsonContext.Default.OutputEventBody);

    private async Task SendAsync<T>(T message, Func<T, int, byte[]> encode)
    {
        if (closed.IsCancellationRequested)
            return;
        await writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var payload = encode(message, nextSeq++);
            await FrameWriter.WriteAsync(output, payload).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer went away: there is no one left to tell.
            closed.Cancel();
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Sends a reverse request (the adapter asks the client, e.g. <c>runInTerminal</c>) and waits for the client's response.</summary>
    /// <exception cref="OperationCanceledException">The connection closed or <paramref name="cancellationToken"/> fired first.</exception>
    public async Task<Response> SendRequestAsync<T>(string command, T arguments, JsonTypeInfo<T> argumentsType, CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource<Response>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new Request { Command = command, Arguments = MessageEncoder.ToElement(arguments, argumentsType) };
        await SendAsync(request, (r, seq) =>
        {
            r.Seq = seq;
            reverseRequests[seq] = answered;
            return MessageEncoder.Encode(r);
        }).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closed.Token);
        try
        {
            return await answered.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        finally
        {
            reverseRequests.TryRemove(request.Seq, out _);
        }
    }

    /// <summary>Hands the client's response to the reverse request it answers; false when no such request is waiting.</summary>
    public bool AcceptResponse(Response response) =>
        reverseRequests.TryRemove(response.RequestSeq, out var waiting) && waiting.TrySetResult(response);

    /// <summary>Closes the connection: later sends are dropped and a pending read returns end of stream.</summary>
    public async Task CloseAsync()
    {
        if (closed.IsCancellationRequested)
            return;
        closed.Cancel();
        await writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await output.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Closes the connection and releases the reader; call once the read loop has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        await input.CompleteAsync().ConfigureAwait(false);
    }
}
