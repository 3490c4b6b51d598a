using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native.Tracing;

/// <summary>The dedicated thread that makes every ptrace request for one tracee (the kernel accepts ptrace requests
/// only from the thread that attached), with an inbox of requests and reaped wait results.</summary>
internal sealed class TracerThread
{
    private readonly object gate = new();
    private readonly Queue<WaitResult> waits = new();
    private readonly Queue<Action> requests = new();
    private readonly Thread thread;
    private readonly Action<WaitResult> onWait;
    private bool stopping;

    public TracerThread(string name, Action<WaitResult> onWait)
    {
        this.onWait = onWait;
        thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>True when the caller runs on the tracer thread.</summary>
    public bool IsCurrent => Environment.CurrentManagedThreadId == thread.ManagedThreadId;

    /// <summary>Queues a wait result reaped by the waiter thread.</summary>
    public void PostWait(WaitResult result)
    {
        lock (gate)
        {
            waits.Enqueue(result);
            Monitor.Pulse(gate);
        }
    }

    /// <summary>Runs <paramref name="work"/> on the tracer thread (inline when already on it).</summary>
    public Task<T> Invoke<T>(Func<T> work)
    {
        if (IsCurrent)
        {
            try { return Task.FromResult(work()); }
            catch (Exception e) { return Task.FromException<T>(e); }
        }
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (stopping)
                return Task.FromException<T>(new TraceException("the tracer has shut down; launch or attach again"));
            requests.Enqueue(() =>
            {
                try { tcs.SetResult(work()); }
                catch (Exception e) { tcs.SetException(e); }
            });
            Monitor.Pulse(gate);
        }
        return tcs.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the tracer thread.</summary>
    public Task Invoke(Action work) => Invoke(() => { work(); return true; });

    /// <summary>On the tracer thread, inside a request: takes the next wait result, or null after <paramref name="timeout"/>.</summary>
    public WaitResult? TakeWait(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (gate)
        {
            while (waits.Count == 0)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0) return null;
                Monitor.Wait(gate, (int)Math.Min(left, int.MaxValue));
            }
            return waits.Dequeue();
        }
    }

    /// <summary>Ends the loop after the queued work; later requests fail.</summary>
    public void Stop()
    {
        lock (gate)
        {
            stopping = true;
            Monitor.Pulse(gate);
        }
    }

    private void Loop()
    {
        while (true)
        {
            WaitResult? wait = null;
            Action? request = null;
            lock (gate)
            {
                while (waits.Count == 0 && requests.Count == 0 && !stopping)
                    Monitor.Wait(gate);
                // Wait results first: a request must see the tracee as the kernel last reported it.
                if (waits.Count > 0) wait = waits.Dequeue();
                else if (requests.Count > 0) request = requests.Dequeue();
                else return;
            }
            if (wait is { } w) onWait(w);
            else request!();
        }
    }
}
