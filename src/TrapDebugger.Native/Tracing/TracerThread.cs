using TrapDebugger.Native.Errors;

namespace TrapDebugger.Native.Tracing;

/// <summary>One traced process's seat on the dedicated thread that makes its ptrace requests (the kernel accepts ptrace
/// requests only from the thread that attached): an inbox of requests and of reaped wait results.</summary>
/// <remarks>A process forked by a traced process is traced by the same thread (the kernel attaches it to its parent's
/// tracer), so it gets a seat on its parent's thread (<see cref="TracerThread(TracerThread, Action{WaitResult})"/>). One
/// process waiting inside a request for its own threads lets the results of the others be handled meanwhile, unless
/// they are busy further up the same stack: a vfork parent can only stop once its child has moved on.</remarks>
internal sealed class TracerThread
{
    private readonly Loop loop;
    private readonly Action<WaitResult> onWait;
    private int busy;
    private bool stopped;

    /// <summary>A seat on a new thread named <paramref name="name"/>.</summary>
    public TracerThread(string name, Action<WaitResult> onWait)
    {
        this.onWait = onWait;
        loop = new Loop(name, this);
    }

    /// <summary>A seat on the thread of <paramref name="sharing"/>.</summary>
    public TracerThread(TracerThread sharing, Action<WaitResult> onWait)
    {
        this.onWait = onWait;
        loop = sharing.loop;
        loop.Join(this);
    }

    /// <summary>True when the caller runs on the tracer thread.</summary>
    public bool IsCurrent => loop.IsCurrent;

    /// <summary>Queues a wait result reaped by the waiter thread.</summary>
    public void PostWait(WaitResult result) => loop.PostWait(this, result);

    /// <summary>Runs <paramref name="work"/> on the tracer thread (inline when already on it).</summary>
    public Task<T> Invoke<T>(Func<T> work)
    {
        if (IsCurrent)
        {
            try { return Task.FromResult(Run(work)); }
            catch (Exception e) { return Task.FromException<T>(e); }
        }
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!loop.Request(this, () =>
            {
                try { tcs.SetResult(Run(work)); }
                catch (Exception e) { tcs.SetException(e); }
            }))
            return Task.FromException<T>(new TraceException("the tracer has shut down; launch or attach again"));
        return tcs.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the tracer thread.</summary>
    public Task Invoke(Action work) => Invoke(() => { work(); return true; });

    /// <summary>On the tracer thread, inside a request: takes the next wait result of this process, or null after
    /// <paramref name="timeout"/>.</summary>
    public WaitResult? TakeWait(TimeSpan timeout) => loop.TakeWait(this, timeout);

    /// <summary>Ends this seat (and the thread with the last one) after the queued work; later requests fail.</summary>
    public void Stop() => loop.Leave(this);

    private T Run<T>(Func<T> work)
    {
        busy++;
        try { return work(); }
        finally { busy--; }
    }

    private void Dispatch(WaitResult result)
    {
        busy++;
        try { onWait(result); }
        finally { busy--; }
    }

    /// <summary>The thread itself, shared by the seats of a process and the processes it forked.</summary>
    private sealed class Loop
    {
        private readonly object gate = new();
        private readonly List<(TracerThread Seat, WaitResult Result)> waits = [];
        private readonly Queue<(TracerThread Seat, Action Work)> requests = new();
        private readonly List<TracerThread> seats = [];
        private readonly Thread thread;

        /// <summary>Starts the thread with its first seat taken (the thread ends when the last seat is left).</summary>
        public Loop(string name, TracerThread first)
        {
            seats.Add(first);
            thread = new Thread(Run) { IsBackground = true, Name = name };
            thread.Start();
        }

        public bool IsCurrent => Environment.CurrentManagedThreadId == thread.ManagedThreadId;

        public void Join(TracerThread seat)
        {
            lock (gate) seats.Add(seat);
        }

        public void Leave(TracerThread seat)
        {
            lock (gate)
            {
                seat.stopped = true;
                seats.Remove(seat);
                waits.RemoveAll(w => w.Seat == seat);
                Monitor.PulseAll(gate);
            }
        }

        public void PostWait(TracerThread seat, WaitResult result)
        {
            lock (gate)
            {
                if (seat.stopped) return;
                waits.Add((seat, result));
                Monitor.PulseAll(gate);
            }
        }

        public bool Request(TracerThread seat, Action work)
        {
            lock (gate)
            {
                if (seat.stopped) return false;
                requests.Enqueue((seat, work));
                Monitor.PulseAll(gate);
                return true;
            }
        }

        public WaitResult? TakeWait(TracerThread seat, TimeSpan timeout)
        {
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (true)
            {
                (TracerThread Seat, WaitResult Result)? other = null;
                lock (gate)
                {
                    while (true)
                    {
                        var own = waits.FindIndex(w => w.Seat == seat);
                        if (own >= 0)
                        {
                            var result = waits[own].Result;
                            waits.RemoveAt(own);
                            return result;
                        }
                        // Another process's result is handled now unless that process is busy further up this stack.
                        var idle = waits.FindIndex(w => w.Seat.busy == 0);
                        if (idle >= 0)
                        {
                            other = waits[idle];
                            waits.RemoveAt(idle);
                            break;
                        }
                        var left = deadline - Environment.TickCount64;
                        if (left <= 0) return null;
                        Monitor.Wait(gate, (int)Math.Min(left, int.MaxValue));
                    }
                }
                other.Value.Seat.Dispatch(other.Value.Result);
            }
        }

        private void Run()
        {
            while (true)
            {
                (TracerThread Seat, WaitResult Result)? wait = null;
                (TracerThread Seat, Action Work)? request = null;
                lock (gate)
                {
                    while (waits.Count == 0 && requests.Count == 0 && seats.Count > 0)
                        Monitor.Wait(gate);
                    // Wait results first: a request must see the tracee as the kernel last reported it.
                    if (waits.Count > 0)
                    {
                        wait = waits[0];
                        waits.RemoveAt(0);
                    }
                    else if (requests.Count > 0) request = requests.Dequeue();
                    else return;
                }
                if (wait is { } w) w.Seat.Dispatch(w.Result);
                else request!.Value.Work();
            }
        }
    }
}
