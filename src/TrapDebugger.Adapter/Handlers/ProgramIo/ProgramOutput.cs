using System.Text;
using TrapDebugger.Native.Launch;

namespace TrapDebugger.Adapter.Handlers.ProgramIo;

/// <summary>Streams what a launched program writes to its pseudo-terminals as <c>output</c> events while it runs, and
/// drains them before the adapter reports a stop or the exit, so the program's last words come before the
/// <c>stopped</c> event of the crash that followed them.</summary>
/// <remarks>
/// One background thread per terminal waits for output and sends it; <see cref="DrainAsync"/> reads whatever is left.
/// Both go through one gate, so output keeps its order. The program itself writes line by line: its C library sees a
/// terminal and flushes stdout at every newline.
/// </remarks>
public sealed class ProgramOutput : IAsyncDisposable
{
    private readonly List<TerminalStream> streams;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Thread> readers = [];
    private Func<string, string, Task>? send;

    private ProgramOutput(List<TerminalStream> streams) => this.streams = streams;

    /// <summary>Output read from <paramref name="terminals"/>, each with its output category (<c>stdout</c>, <c>stderr</c>).</summary>
    public static ProgramOutput From(IEnumerable<(PseudoTerminal Terminal, string Category)> terminals) =>
        new([.. terminals.Select(t => new TerminalStream(t.Terminal, t.Category))]);

    /// <summary>Starts sending output through <paramref name="sendOutput"/> (category, text).</summary>
    public void Start(Func<string, string, Task> sendOutput)
    {
        send = sendOutput;
        foreach (var stream in streams)
        {
            var thread = new Thread(() => Pump(stream)) { IsBackground = true, Name = $"trapdbg {stream.Category}" };
            readers.Add(thread);
            thread.Start();
        }
    }

    /// <summary>Sends everything the program has written so far. Call while the program is stopped (or gone) so that
    /// "so far" means everything before the stop.</summary>
    public async Task DrainAsync()
    {
        if (send is null)
            return;
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var stream in streams)
                await SendAvailableAsync(stream).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops the readers (after a last drain) and closes the terminals.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
            return;
        await DrainAsync().ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        foreach (var stream in streams)
            stream.Terminal.StopWaiting();
        foreach (var reader in readers)
            reader.Join(TimeSpan.FromSeconds(2));
        foreach (var stream in streams)
            stream.Terminal.Dispose();
        stopping.Dispose();
    }

    private void Pump(TerminalStream stream)
    {
        while (!stopping.IsCancellationRequested)
        {
            // Blocks until the program writes or the output is disposed: no time is spent while the program is quiet.
            if (!stream.Terminal.WaitForOutput(-1))
            {
                // Told to stop (the loop ends), or poll failed: do not spin on it.
                if (!stopping.IsCancellationRequested) Thread.Sleep(10);
                continue;
            }
            gate.Wait();
            try
            {
                if (!SendAvailableAsync(stream).GetAwaiter().GetResult())
                    return;
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>Reads and sends until the terminal has nothing more; false once it is closed.</summary>
    private async Task<bool> SendAvailableAsync(TerminalStream stream)
    {
        while (true)
        {
            int read = stream.Terminal.Read(stream.Bytes);
            if (read <= 0)
                return read == 0;
            int count = stream.Decoder.GetChars(stream.Bytes, 0, read, stream.Chars, 0, flush: false);
            if (count > 0 && send is { } sendOutput)
                await sendOutput(stream.Category, new string(stream.Chars, 0, count)).ConfigureAwait(false);
        }
    }

    private sealed class TerminalStream(PseudoTerminal terminal, string category)
    {
        public PseudoTerminal Terminal { get; } = terminal;
        public string Category { get; } = category;
        public Decoder Decoder { get; } = Encoding.UTF8.GetDecoder();
        public byte[] Bytes { get; } = new byte[16384];
        public char[] Chars { get; } = new char[Encoding.UTF8.GetMaxCharCount(16384)];
    }
}
