using System.Runtime.InteropServices;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;

namespace TrapDebugger.Native.Tracing;

/// <summary>The dedicated thread that makes every ptrace request for one tracee (the kernel accepts ptrace requests
/// only from the thread that attached) and reaps the tracee's state changes itself, with an inbox of requests.</summary>
/// <remarks>
/// <para>The thread that sees a stop is the thread that acts on it: a breakpoint hit is decided and resumed here without
/// waking any other thread. Waits use <c>__WNOTHREAD</c>, so they see only this thread's tracees and children (the
/// launched program is spawned from this thread): sessions never see each other's threads, and children started by other
/// code in this process are never reaped here.</para>
/// <para>While a tracee thread runs, this thread blocks in wait4; a request that arrives then rings the
/// <see cref="Doorbell"/>, which ends the wait with EINTR. A ring can land just before the thread enters wait4 and be
/// lost, so a timer rings again every few milliseconds until the request is taken. The same timer bounds the waits that
/// have a deadline. While every tracee thread is stopped nothing can report but a death (SIGKILL from outside), so the
/// thread waits for requests and looks for a death every 100 ms.</para>
/// </remarks>
internal sealed unsafe class TracerThread
{
    private static readonly TimeSpan RingAgain = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan DeathPoll = TimeSpan.FromMilliseconds(100);

    private readonly object gate = new();
    private readonly Queue<Action> requests = new();
    private readonly Thread thread;
    private readonly Action<WaitResult> onWait;
    private readonly Func<bool> anyRunning;
    private readonly Timer ringer;
    private volatile int osThreadId;
    // Inside (or about to enter) a blocking wait4; guarded by gate.
    private bool blocked;
    // A timed wait's end, in Environment.TickCount64 milliseconds (long.MaxValue: none); guarded by gate.
    private long deadline = long.MaxValue;
    // Running a request (whose own waits do not take requests); guarded by gate.
    private bool inRequest;
    private bool stopping;

    /// <param name="name">The thread's name.</param>
    /// <param name="onWait">Called on this thread with each state change reaped while no request runs.</param>
    /// <param name="anyRunning">True when a tracee thread may report (it runs): only then does the thread block in wait4.</param>
    public TracerThread(string name, Action<WaitResult> onWait, Func<bool> anyRunning)
    {
        this.onWait = onWait;
        this.anyRunning = anyRunning;
        ringer = new Timer(_ => RingIfStillWaited());
        _ = Doorbell.Signal;
        thread = new Thread(Loop) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>True when the caller runs on the tracer thread.</summary>
    public bool IsCurrent => Environment.CurrentManagedThreadId == thread.ManagedThreadId;

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
            Wake();
        }
        return tcs.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the tracer thread.</summary>
    public Task Invoke(Action work) => Invoke(() => { work(); return true; });

    /// <summary>On the tracer thread, inside a request: reaps the next state change of a tracee, or returns null after
    /// <paramref name="timeout"/>.</summary>
    public WaitResult? TakeWait(TimeSpan timeout)
    {
        if (Reap(block: false) is { } ready) return ready;
        var end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (gate)
        {
            deadline = end;
            ArmRinger(TimeSpan.FromMilliseconds(Math.Max(1, end - Environment.TickCount64)));
        }
        try
        {
            while (true)
            {
                lock (gate) blocked = true;
                var r = Reap(block: true);
                lock (gate) blocked = false;
                if (r is { } result) return result;
                if (Environment.TickCount64 >= end) return null;
                if (Marshal.GetLastPInvokeError() == Errno.ECHILD)
                    Thread.Sleep((int)Math.Clamp(end - Environment.TickCount64, 1, 10));
            }
        }
        finally
        {
            lock (gate) deadline = long.MaxValue;
        }
    }

    /// <summary>Ends the loop after the queued work; later requests fail.</summary>
    public void Stop()
    {
        lock (gate)
        {
            stopping = true;
            Wake();
        }
    }

    // Called under gate: gets the tracer thread to look at its inbox. A wait inside a request does not take requests, so
    // it is not rung for them.
    private void Wake()
    {
        Monitor.Pulse(gate);
        if (!blocked || inRequest) return;
        Doorbell.Ring(osThreadId);
        ArmRinger(RingAgain);
    }

    // Called under gate.
    private void ArmRinger(TimeSpan due) => ringer.Change(due, RingAgain);

    private void RingIfStillWaited()
    {
        lock (gate)
        {
            var now = Environment.TickCount64;
            var requested = !inRequest && (requests.Count > 0 || stopping);
            var late = now >= deadline;
            if (blocked && (requested || late)) Doorbell.Ring(osThreadId);
            if (requested || late) return;
            if (deadline != long.MaxValue) ringer.Change(TimeSpan.FromMilliseconds(deadline - now), RingAgain);
            else ringer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    /// <summary>One wait4 for any tracee or child of this thread; null when nothing was reaped (WNOHANG found nothing, a
    /// signal interrupted the wait, or there is nothing to wait for: the last error says which).</summary>
    private static WaitResult? Reap(bool block)
    {
        int status;
        var options = WaitFlags.WALL | WaitFlags.WNOTHREAD | WaitFlags.WSTOPPED | (block ? 0 : WaitFlags.WNOHANG);
        var tid = LibC.WaitPid(-1, &status, options);
        return tid > 0 ? new WaitResult(tid, status) : null;
    }

    private void Loop()
    {
        osThreadId = LibC.GetTid();
        while (true)
        {
            Action? request = null;
            bool block;
            lock (gate)
            {
                inRequest = false;
                if (requests.Count > 0) request = requests.Dequeue();
                else if (stopping) return;
                inRequest = request is not null;
                block = request is null && anyRunning();
                if (request is null && !block) Monitor.Wait(gate, DeathPoll);
                blocked = block;
            }
            if (request is not null)
            {
                request();
                continue;
            }
            var r = Reap(block);
            if (block)
                lock (gate) blocked = false;
            if (r is { } w) onWait(w);
        }
    }
}
