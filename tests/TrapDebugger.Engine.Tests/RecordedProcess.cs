using System.Threading.Channels;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native;
using TrapDebugger.Targets;

namespace TrapDebugger.Engine.Tests;

/// <summary>A debugged process whose events are recorded, so a test can wait for the next stop or exit.</summary>
internal sealed class RecordedProcess : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Channel<DebugEvent> _events = Channel.CreateUnbounded<DebugEvent>();

    private RecordedProcess(TargetProcess process)
    {
        Process = process;
    }

    public TargetProcess Process { get; }

    public List<string> Output { get; } = [];

    public static async Task<RecordedProcess> LaunchAsync(string program, params string[] args)
    {
        var process = await TargetProcess.LaunchAsync(LocalPlatform.Instance, new LaunchOptions
        {
            Program = program,
            Arguments = args,
            StandardOutput = StdioMode.Pipe,
            StandardError = StdioMode.Pipe,
            StandardInput = StdioMode.Pipe,
        });
        var recorded = new RecordedProcess(process);
        process.Event += e =>
        {
            if (e is OutputEvent o) lock (recorded.Output) recorded.Output.Add(o.Text);
            recorded._events.Writer.TryWrite(e);
        };
        // Drain the program's pipes so it never blocks on a full pipe.
        _ = process.StandardOutput?.CopyToAsync(Stream.Null);
        _ = process.StandardError?.CopyToAsync(Stream.Null);
        return recorded;
    }

    /// <summary>Waits for the next stop (skipping other events); fails if the process exits first.</summary>
    public async Task<StopInfo> NextStopAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(cts.Token);
            if (e is StoppedEvent s) return s.Stop;
            if (e is ExitedEvent x) throw new InvalidOperationException($"process exited before stopping: {x.Description}");
        }
    }

    /// <summary>Waits for the process to end.</summary>
    public async Task<ExitedEvent> ExitAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(cts.Token);
            if (e is ExitedEvent x) return x;
        }
    }

    /// <summary>Waits for the next stop or the exit, whichever comes first.</summary>
    public async Task<DebugEvent> NextStopOrExitAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(cts.Token);
            if (e is StoppedEvent or ExitedEvent) return e;
        }
    }

    public async Task<StopInfo> ContinueToStopAsync()
    {
        await Process.ContinueAsync();
        return await NextStopAsync();
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
