namespace TrapDebugger.Native.Tracing;

/// <summary>A traced process as its <see cref="TracerSeat"/> serves it: what the shared tracer thread needs to know of it.</summary>
internal interface ITracedProcess
{
    /// <summary>The process id.</summary>
    int Pid { get; }

    /// <summary>Handles a state change of one of its threads (on the tracer thread, outside its requests).</summary>
    void OnWait(WaitResult result);

    /// <summary>True when one of its threads may report (it runs).</summary>
    bool AnyThreadRunning();

    /// <summary>True when <paramref name="tid"/> is one of its threads.</summary>
    bool Owns(int tid);
}

/// <summary>One traced process's seat on a tracer thread. A process forked by a traced one is traced by the same thread
/// (the kernel attaches it there, and that thread's wait4 reaps for both), so the processes of one family share one
/// <see cref="TracerThread"/>: each state change goes to the process whose thread it is, and a process waiting inside a
/// request for its own threads hands the others theirs meanwhile (or keeps them until it is done, when their process is
/// busy further up the same stack).</summary>
internal sealed class TracerSeat
{
    private readonly Family family;
    private readonly ITracedProcess process;
    private readonly Queue<WaitResult> held = new();
    private int busy;

    private TracerSeat(Family family, ITracedProcess process)
    {
        this.family = family;
        this.process = process;
    }

    /// <summary>The seat of the first process of a new tracer thread named <paramref name="name"/>.</summary>
    public static TracerSeat First(string name, ITracedProcess process)
    {
        var family = new Family();
        var seat = new TracerSeat(family, process);
        family.Members.Add(seat);
        family.Thread = new TracerThread(name, family.Dispatch, family.AnyRunning);
        return seat;
    }

    /// <summary>A seat on this seat's thread for <paramref name="other"/>, a process forked from this one.</summary>
    public TracerSeat Join(ITracedProcess other)
    {
        var seat = new TracerSeat(family, other);
        family.Members.Add(seat);
        return seat;
    }

    /// <summary>True when the caller runs on the tracer thread.</summary>
    public bool IsCurrent => family.Thread.IsCurrent;

    /// <summary>Runs <paramref name="work"/> for this process on the tracer thread (inline when already on it).</summary>
    public Task<T> Invoke<T>(Func<T> work) => family.Thread.Invoke(() => Busy(work));

    /// <summary>Runs <paramref name="work"/> for this process on the tracer thread.</summary>
    public Task Invoke(Action work) => Invoke(() => { work(); return true; });

    /// <summary>Inside a request of this process: the next state change of one of its threads, or null after
    /// <paramref name="timeout"/>; the other processes' changes are handled meanwhile.</summary>
    public WaitResult? TakeWait(TimeSpan timeout)
    {
        if (held.Count > 0) return held.Dequeue();
        var end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var left = end - Environment.TickCount64;
            if (left <= 0 || family.Thread.TakeWait(TimeSpan.FromMilliseconds(left)) is not { } r) return null;
            var owner = family.OwnerOf(r.Tid);
            if (owner is null || owner == this) return r;
            owner.Receive(r);
        }
    }

    /// <summary>Leaves the thread; the last process to leave ends it.</summary>
    public void Stop()
    {
        family.Members.Remove(this);
        if (family.Members.Count == 0) family.Thread.Stop();
    }

    private T Busy<T>(Func<T> work)
    {
        busy++;
        try
        {
            return work();
        }
        finally
        {
            busy--;
            if (busy == 0) family.HandleHeld();
        }
    }

    /// <summary>A state change of this process's thread: handled now, or kept while this process is busy further up.</summary>
    private void Receive(WaitResult r)
    {
        if (busy > 0)
        {
            held.Enqueue(r);
            return;
        }
        Busy(() =>
        {
            process.OnWait(r);
            return true;
        });
    }

    /// <summary>The processes of one tracer thread.</summary>
    private sealed class Family
    {
        public List<TracerSeat> Members { get; } = [];

        public TracerThread Thread { get; set; } = null!;

        /// <summary>Whose thread <paramref name="tid"/> is: a known thread's process, else (a thread or a process whose
        /// first stop beat its creator's event) the process of its thread group or of its parent, else the first.</summary>
        public TracerSeat? OwnerOf(int tid)
        {
            foreach (var m in Members)
                if (m.process.Owns(tid)) return m;
            if (Proc.ProcFs.Status(tid) is { } status)
            {
                foreach (var m in Members)
                    if (m.process.Pid == status.Tgid) return m;
                foreach (var m in Members)
                    if (m.process.Pid == status.ParentPid) return m;
            }
            return Members.Count > 0 ? Members[0] : null;
        }

        public void Dispatch(WaitResult r) => OwnerOf(r.Tid)?.Receive(r);

        public bool AnyRunning()
        {
            foreach (var m in Members)
                if (m.process.AnyThreadRunning()) return true;
            return false;
        }

        /// <summary>Hands every idle process the changes kept for it.</summary>
        public void HandleHeld()
        {
            foreach (var m in Members.ToList())
                while (m.busy == 0 && m.held.Count > 0) m.Receive(m.held.Dequeue());
        }
    }
}
