using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>The processes the debuggee forks that the session does not follow: each is watched, without breakpoints, until
/// it exits, executes another program or crashes; a crash is said in the Debug Console with the same diagnosis a stop gets
/// (one line), and with <c>forkEvents: all</c> so is every other end.</summary>
public sealed class ForkedProcesses(EngineState state) : IAsyncDisposable
{
    private readonly CancellationTokenSource ending = new();
    private readonly List<Task> watches = [];

    /// <summary>Starts watching the process of <paramref name="forked"/>.</summary>
    public void Watch(ForkedProcessEvent forked)
    {
        ArgumentNullException.ThrowIfNull(forked);
        var watch = Task.Run(async () =>
        {
            var process = forked.Process;
            var who = forked.IsParent ? $"parent process {process.ProcessId}" : $"child process {process.ProcessId} of process {forked.ParentId}";
            var end = await ForkedProcessWatch.RunAsync(process, async stop =>
            {
                var line = $"trapdbg: {who} stopped: {stop.Description}{await WhereAsync(process, stop).ConfigureAwait(false)}; it dies of the signal, as it would have";
                await Say(line, OutputCategories.Important).ConfigureAwait(false);
            }, ending.Token).ConfigureAwait(false);
            if (end.Kind != ForkedProcessEndKind.Crashed && state.Forks.ReportAll && end.Kind != ForkedProcessEndKind.Released)
                await Say($"trapdbg: {end.Description}", OutputCategories.Console).ConfigureAwait(false);
        });
        lock (watches) watches.Add(watch);
    }

    /// <summary>Lets every watched process go (the session ends).</summary>
    public async ValueTask DisposeAsync()
    {
        await ending.CancelAsync().ConfigureAwait(false);
        Task[] all;
        lock (watches) all = [.. watches];
        try
        {
            await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or EngineException or TargetException or IOException)
        {
            // A process that could not be let go cleanly is the kernel's to detach when the adapter ends.
        }
        ending.Dispose();
    }

    /// <summary>The frame the stop lands on, as " (function at file:line)", or nothing when it has no source.</summary>
    private static async Task<string> WhereAsync(TargetProcess process, StopInfo stop)
    {
        try
        {
            var (frames, _) = await process.GetStackTraceAsync(stop.ThreadId, stop.SelectedFrameIndex, 1).ConfigureAwait(false);
            return frames is [{ Location: { File: { } file } at } frame] ? $" ({frame.Name} at {Path.GetFileName(file)}:{at.Line})" : "";
        }
        catch (EngineException)
        {
            return "";
        }
    }

    private Task Say(string line, string category) => state.Session.Connection.SendOutputAsync(category, line + "\n");
}
