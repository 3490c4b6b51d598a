
namespace TrapDebugger.Native.Tests;

/// <summary>Waits on a tracee's event stream with a timeout, so a tracer bug fails a test instead of hanging it.</summary>
internal static class Tracee
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>The next event of type <typeparamref name="T"/>, skipping (and returning in <paramref name="skipped"/>) others.</summary>
    public static async Task<T> Next<T>(TraceeProcess process, List<TargetEvent>? skipped = null) where T : TargetEvent
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            TargetEvent e;
            try { e = await process.Events.ReadAsync(cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"no {typeof(T).Name} from process {process.Pid} within {Timeout}"); }
            catch (System.Threading.Channels.ChannelClosedException) { throw new InvalidOperationException($"the event stream of {process.Pid} ended before a {typeof(T).Name}"); }
            if (e is T t) return t;
            skipped?.Add(e);
        }
    }

    /// <summary>The next stop; fails on an exit.</summary>
    public static async Task<ProcessStopped> NextStop(TraceeProcess process, List<TargetEvent>? skipped = null)
    {
        var seen = skipped ?? [];
        var stop = await Next<TargetEvent>(process);
        while (stop is not ProcessStopped)
        {
            if (stop is ProcessExited or ProcessKilled or ProcessDetached)
                throw new InvalidOperationException($"process {process.Pid} ended ({stop}) while a stop was expected");
            seen.Add(stop);
            stop = await Next<TargetEvent>(process);
        }
        return (ProcessStopped)stop;
    }

    /// <summary>The last event (exit, death or detach).</summary>
    public static Task<TargetEvent> End(TraceeProcess process) => Next<TargetEvent>(process) is var first ? EndFrom(process, first) : null!;

    private static async Task<TargetEvent> EndFrom(TraceeProcess process, Task<TargetEvent> first)
    {
        var e = await first;
        while (e is not (ProcessExited or ProcessKilled or ProcessDetached))
            e = await Next<TargetEvent>(process);
        return e;
    }
}
