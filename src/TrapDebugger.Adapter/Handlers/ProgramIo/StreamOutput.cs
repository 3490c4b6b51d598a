using System.Text;

namespace TrapDebugger.Adapter.Handlers.ProgramIo;

/// <summary>Streams what a program writes to its stdout and stderr pipes as <c>output</c> events: the streams of a program
/// the remote agent runs, which arrive in the agent's messages.</summary>
/// <remarks>The agent sends a stop after the output the program wrote before it, so by the time the stop has travelled
/// through the engine the readers here have the output; <see cref="DrainAsync"/> waits for the one being sent.</remarks>
internal sealed class StreamOutput : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<Task> readers = [];
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Starts reading <paramref name="streams"/> (each with its output category) and sending through <paramref name="send"/>.</summary>
    public StreamOutput(IEnumerable<(Stream Stream, string Category)> streams, Func<string, string, Task> send)
    {
        foreach (var (stream, category) in streams)
            readers.Add(Task.Run(() => PumpAsync(stream, category, send)));
    }

    private async Task PumpAsync(Stream stream, string category, Func<string, string, Task> send)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[16384];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(bytes, stopping.Token).ConfigureAwait(false);
                if (read <= 0)
                    return;
                int count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
                if (count == 0)
                    continue;
                await gate.WaitAsync(stopping.Token).ConfigureAwait(false);
                try
                {
                    await send(category, new string(chars, 0, count)).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The program's stream or the session ended.
        }
    }

    /// <summary>Waits until no output is being sent.</summary>
    public async Task DrainAsync()
    {
        await Task.Yield();
        await gate.WaitAsync().ConfigureAwait(false);
        gate.Release();
    }

    /// <summary>Lets the readers send what is left (briefly), then stops them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
            return;
        await Task.WhenAny(Task.WhenAll(readers), Task.Delay(1000)).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(readers).ConfigureAwait(false);
        stopping.Dispose();
    }
}
