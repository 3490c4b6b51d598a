using System.IO.Pipes;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Launch;
using TrapDebugger.Native.Memory;
using TrapDebugger.Native.Modules;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

/// <summary>A process under ptrace control, in the all-stop model: whenever anything is reported, every thread is
/// stopped until the client resumes them all.</summary>
/// <remarks>
/// Every ptrace request runs on one dedicated tracer thread; the Task-returning methods marshal onto it. Stops,
/// thread and module changes and the end of the process come out of <see cref="Events"/> in the order they happened.
/// Memory reads and writes do not need the tracer thread and are synchronous.
/// </remarks>
public sealed partial class TraceeProcess : ITarget, IByteSource, ITracedProcess
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    // How long the other threads stay stopped while one steps over a breakpoint; a step that takes longer is blocked.
    private static readonly TimeSpan StepOverPatience = TimeSpan.FromMilliseconds(100);

    private readonly TracerSeat tracer;
    private readonly Channel<TargetEvent> events = Channel.CreateUnbounded<TargetEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Dictionary<int, TraceeThread> threads = [];
    private readonly Queue<ThreadStop> pendingStops = new();
    private readonly Dictionary<int, SignalInfo> lastSignal = [];
    private readonly object sitesGate = new();
    private readonly Dictionary<ulong, Breakpoints.BreakpointSite> sites = [];
    private readonly HashSet<ulong> moribund = [];
    // How many sites have their int3 in memory now (guarded by sitesGate).
    private int insertedSites;
    // The registers of stopped threads as read at this stop, for callers on other threads (see GetRegistersAsync).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, RegisterSnapshot> publishedRegisters = new();
    private readonly DebugRegisterSlot?[] slots = new DebugRegisterSlot?[4];
    private ProcessMemory memory = null!;
    private readonly TraceeMemory view;
    private LinkMapTracker? modules;
    private volatile int[] threadIds = [];
    private volatile RunState state = RunState.Starting;
    private bool launched;
    private ulong entryAddress;
    // Set by an exec: the entry point of the new program starts following its shared libraries.
    private bool trackModulesAtEntry;

    private enum RunState { Starting, Stopped, Running, Gone }

    private TraceeProcess()
        : this(null)
    {
    }

    /// <summary>A process traced from the thread of <paramref name="forkedFrom"/> (the kernel attached it there when it
    /// was forked), or from a thread of its own.</summary>
    private TraceeProcess(TraceeProcess? forkedFrom)
    {
        tracer = forkedFrom is null ? TracerSeat.First("trapdbg tracer", this) : forkedFrom.tracer.Join(this);
        view = new TraceeMemory(this);
    }

    void ITracedProcess.OnWait(WaitResult result) => OnWaitResult(result);

    bool ITracedProcess.AnyThreadRunning() => AnyThreadRunning();

    bool ITracedProcess.Owns(int tid) => threads.ContainsKey(tid);

    /// <summary>The process id.</summary>
    public int Pid { get; private set; }

    /// <summary>The ids of the threads the tracer knows, ascending.</summary>
    public IReadOnlyList<int> ThreadIds => threadIds;

    /// <summary>Stops, thread and module changes, and finally the end of the process (exit, death or detach).</summary>
    public ChannelReader<TargetEvent> Events => events.Reader;

    /// <summary>True while the threads run (between a resume and the next reported stop).</summary>
    public bool IsRunning => state == RunState.Running;

    /// <summary>True once the process has exited, died or been detached.</summary>
    public bool HasEnded => state == RunState.Gone;

    /// <summary>The program's stdin when launched with <see cref="StdioMode.Pipe"/>.</summary>
    public Stream? StandardInput { get; private set; }

    /// <summary>The program's stdout when launched with <see cref="StdioMode.Pipe"/>.</summary>
    public Stream? StandardOutput { get; private set; }

    /// <summary>The program's stderr when launched with <see cref="StdioMode.Pipe"/>.</summary>
    public Stream? StandardError { get; private set; }

    /// <summary>The shared objects the dynamic loader reports (empty for static programs and before the loader ran).</summary>
    public IReadOnlyList<LoadedModule> Modules => modules?.Modules ?? [];

    /// <summary>Starts <see cref="LaunchOptions.Program"/> and returns once it is stopped at its entry point
    /// (AT_ENTRY, after the dynamic loader and before any of the program's code); a <see cref="ProcessStopped"/>
    /// with <see cref="StopReason.Entry"/> is the first stop on <see cref="Events"/>.</summary>
    public static async Task<TraceeProcess> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default)
    {
        var path = Spawner.Resolve(options);
        var process = new TraceeProcess();
        try
        {
            await process.tracer.Invoke(() => process.DoLaunch(path, options)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return process;
        }
        catch
        {
            process.Abandon();
            throw;
        }
    }

    /// <summary>Seizes every thread of process <paramref name="pid"/> and returns once all are stopped; a
    /// <see cref="ProcessStopped"/> with <see cref="StopReason.Attach"/> is the first stop on <see cref="Events"/>.</summary>
    public static async Task<TraceeProcess> AttachAsync(int pid, CancellationToken cancellationToken = default)
    {
        var process = new TraceeProcess();
        try
        {
            await process.tracer.Invoke(() => process.DoAttach(pid)).WaitAsync(cancellationToken).ConfigureAwait(false);
            return process;
        }
        catch
        {
            process.Abandon();
            throw;
        }
    }

    /// <summary>Resumes every thread (each with the signal it stopped for, unless told otherwise), or reports the next
    /// pending stop of another thread without resuming anything.</summary>
    /// <param name="deliverSignals">False suppresses the signals the threads stopped with (e.g. to skip a SIGSEGV the
    /// client has handled).</param>
    public Task ContinueAsync(bool deliverSignals = true) => tracer.Invoke(() =>
    {
        RequireStopped();
        if (!deliverSignals)
            foreach (var t in threads.Values) t.ResumeSignal = 0;
        ResumeAll();
    });

    /// <summary>Executes one instruction in thread <paramref name="tid"/> while every other thread stays stopped; the
    /// end of the step is reported as a <see cref="StopReason.Step"/> stop (or whatever stopped it first).</summary>
    /// <remarks>The breakpoint bytes are out of memory while the process is stopped, and one instruction cannot reach
    /// another breakpoint, so the step runs on the program's own code and no byte is written.</remarks>
    public Task StepInstructionAsync(int tid) => tracer.Invoke(() => StepClientThread(tid, null));

    /// <inheritdoc/>
    /// <remarks>The tracer steps on from one step's trap to the next without a word to anyone: a line of code costs one
    /// request and one stop event, however many instructions it has. At most <see cref="MaxRangeSteps"/> instructions are
    /// stepped in one request.</remarks>
    public Task StepInRangeAsync(int tid, ulong start, ulong end) => tracer.Invoke(() => StepClientThread(tid, new StepRange(start, end)));

    /// <summary>The most instructions one <see cref="StepInRangeAsync"/> steps before it reports (a loop on one line).</summary>
    public const int MaxRangeSteps = 4096;

    private void StepClientThread(int tid, StepRange? range)
    {
        RequireStopped();
        var thread = Thread(tid);
        thread.RestartInSlot = null;
        thread.Stepping = true;
        thread.ClientStep = true;
        thread.Range = range;
        thread.StepsTaken = 0;
        state = RunState.Running;
        if (!Resume(thread, Ptrace.SINGLESTEP))
            state = RunState.Stopped;
    }

    /// <inheritdoc/>
    public Task RunThreadAsync(int tid) => tracer.Invoke(() =>
    {
        RequireStopped();
        var thread = Thread(tid);
        if (thread.InExitStop || thread.Exiting) throw new TraceException($"thread {tid} is exiting and cannot run code");
        if (thread.InGroupStop)
            throw new TraceException($"thread {tid} is in a job-control stop (SIGSTOP); continue the process before running code on it");
        thread.ResumeSignal = 0;
        // The code may change any memory and the thread's registers: what was read before is stale.
        view.Invalidate();
        // On one of our int3 bytes the original instruction runs first, with the others held (as ResumeAll does).
        if (SiteAt(GetRegisters(thread).Rip) is { } site)
        {
            StepOver(thread, site);
            if (state == RunState.Gone) return;
            if (!threads.ContainsKey(tid)) return;
            // The stepped instruction stopped on its own (a fault): report that stop instead of running on.
            if (pendingStops.FirstOrDefault(p => p.Tid == tid) is { } own)
            {
                var rest = pendingStops.Where(p => p != own).ToList();
                pendingStops.Clear();
                foreach (var p in rest) pendingStops.Enqueue(p);
                ReportStop(own);
                return;
            }
            if (thread.Running)
            {
                // A step that blocks: the breakpoint bytes go in while it runs on (the call's return breakpoint among them).
                InsertSiteBytes();
                state = RunState.Running;
                return;
            }
        }
        // The breakpoint bytes are out while the process is stopped; the code runs under every breakpoint, the call's
        // return breakpoint among them.
        InsertSiteBytes();
        state = RunState.Running;
        if (!Resume(thread, Ptrace.CONT))
            state = RunState.Stopped;
    });

    /// <summary>Interrupts every running thread; the stop is reported with <see cref="StopReason.Pause"/>. Does
    /// nothing if the process is already stopped.</summary>
    public Task PauseAsync() => tracer.Invoke(() =>
    {
        if (state != RunState.Running) return;
        var primary = threads.ContainsKey(Pid) ? Pid : threads.Keys.First();
        StopAll(new ThreadStop(primary, StopReason.Pause, null, 0, null), report: true);
    });

    /// <summary>Kills the process with SIGKILL and returns once the kernel has reported its death.</summary>
    public Task KillAsync() => tracer.Invoke(() =>
    {
        if (state == RunState.Gone) return;
        LibC.Kill(Pid, Signals.SIGKILL);
        var deadline = Environment.TickCount64 + (long)StopTimeout.TotalMilliseconds;
        while (state != RunState.Gone)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || tracer.TakeWait(TimeSpan.FromMilliseconds(left)) is not { } r)
                throw new TraceeTimeoutException($"process {Pid} did not die within {StopTimeout.TotalSeconds:0} s of SIGKILL; it may be stuck in uninterruptible I/O (state D)");
            var (_, thread) = Classify(r);
            // A killed thread may still pass its PTRACE_EVENT_EXIT stop: let it go on dying.
            if (thread != null && !thread.Running && state != RunState.Gone) Resume(thread, Ptrace.CONT);
        }
        pendingStops.Clear();
    });

    /// <summary>The general registers of stopped thread <paramref name="tid"/>.</summary>
    /// <remarks>Registers are read once per stop: a second question is answered from what was read, without the tracer
    /// thread. A breakpoint decision (on the tracer thread) may ask about the thread that hit, which is stopped while
    /// others run.</remarks>
    public Task<GeneralRegisters> GetRegistersAsync(int tid)
    {
        if (state == RunState.Stopped && publishedRegisters.TryGetValue(tid, out var known)) return Task.FromResult(known.Registers);
        return tracer.Invoke(() =>
        {
            var thread = Thread(tid);
            RequireStopped(thread);
            return GetRegisters(thread);
        });
    }

    /// <summary>The general registers already read in this stop, by thread; empty while the process runs.</summary>
    internal IReadOnlyList<KeyValuePair<int, GeneralRegisters>> RegistersOfThisStop() =>
        state == RunState.Stopped ? [.. publishedRegisters.Select(p => KeyValuePair.Create(p.Key, p.Value.Registers))] : [];

    /// <summary>Replaces the general registers of stopped thread <paramref name="tid"/>.</summary>
    public Task SetRegistersAsync(int tid, GeneralRegisters registers) => tracer.Invoke(() =>
    {
        RequireStopped();
        var thread = Thread(tid);
        // A program counter moved by the client is where the thread resumes: it is no longer inside a system call's slot.
        thread.RestartInSlot = null;
        SetRegisters(thread, registers);
        // Values computed from registers (and locations based on them) are stale now.
        view.Invalidate();
    });

    /// <summary>The x87/SSE registers of stopped thread <paramref name="tid"/> (PTRACE_GETFPREGS).</summary>
    public Task<FloatingPointRegisters> GetFloatingPointRegistersAsync(int tid) => tracer.Invoke(() =>
    {
        var t = Thread(tid);
        RequireStopped(t);
        var regs = new FloatingPointRegisters();
        unsafe { Check(LibC.Ptrace(Ptrace.GETFPREGS, t.Tid, 0, (nint)(&regs)), "PTRACE_GETFPREGS", t.Tid); }
        return regs;
    });

    /// <summary>Replaces the x87/SSE registers of stopped thread <paramref name="tid"/> (PTRACE_SETFPREGS).</summary>
    public Task SetFloatingPointRegistersAsync(int tid, FloatingPointRegisters registers) => tracer.Invoke(() =>
    {
        RequireStopped();
        var t = Thread(tid);
        var copy = registers;
        unsafe { Check(LibC.Ptrace(Ptrace.SETFPREGS, t.Tid, 0, (nint)(&copy)), "PTRACE_SETFPREGS", t.Tid); }
        view.Invalidate();
    });

    // The XSAVE area is at most a few kilobytes (AVX-512 and AMX tile data included).
    private const int MaxExtendedState = 16384;

    /// <inheritdoc/>
    /// <remarks>The floating-point and vector registers are the kernel's XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE: x87,
    /// SSE, AVX and later extensions), or the FXSAVE area (PTRACE_GETFPREGS) on a processor without XSAVE.</remarks>
    public Task<SavedThreadState> SaveThreadAsync(int tid) => tracer.Invoke(() =>
    {
        RequireStopped();
        var t = Thread(tid);
        return new SavedThreadState(GetRegisters(t), ReadExtendedState(t), t.ResumeSignal);
    });

    /// <inheritdoc/>
    public Task RestoreThreadAsync(int tid, SavedThreadState saved) => tracer.Invoke(() =>
    {
        RequireStopped();
        var t = Thread(tid);
        SetRegisters(t, saved.Registers);
        WriteExtendedState(t, saved.ExtendedState);
        t.ResumeSignal = saved.ResumeSignal;
        view.Invalidate();
    });

    private static unsafe byte[] ReadExtendedState(TraceeThread t)
    {
        var buffer = new byte[MaxExtendedState];
        fixed (byte* b = buffer)
        {
            var io = new IoVec { Base = (nint)b, Length = (nuint)buffer.Length };
            if (LibC.Ptrace(Ptrace.GETREGSET, t.Tid, Ptrace.NT_X86_XSTATE, (nint)(&io)) == 0)
                return buffer.AsSpan(0, (int)io.Length).ToArray();
        }
        // No XSAVE area on this processor: the FXSAVE area (x87 and SSE) is all there is.
        var fx = new FloatingPointRegisters();
        Check(LibC.Ptrace(Ptrace.GETFPREGS, t.Tid, 0, (nint)(&fx)), "PTRACE_GETFPREGS", t.Tid);
        return new ReadOnlySpan<byte>(&fx, sizeof(FloatingPointRegisters)).ToArray();
    }

    private static unsafe void WriteExtendedState(TraceeThread t, byte[] state)
    {
        fixed (byte* b = state)
        {
            if (state.Length == sizeof(FloatingPointRegisters))
            {
                Check(LibC.Ptrace(Ptrace.SETFPREGS, t.Tid, 0, (nint)b), "PTRACE_SETFPREGS", t.Tid);
                return;
            }
            var io = new IoVec { Base = (nint)b, Length = (nuint)state.Length };
            Check(LibC.Ptrace(Ptrace.SETREGSET, t.Tid, Ptrace.NT_X86_XSTATE, (nint)(&io)), "PTRACE_SETREGSET NT_X86_XSTATE", t.Tid);
        }
    }

    /// <summary>DR0-DR7 of stopped thread <paramref name="tid"/> (DR4 and DR5 read as 0).</summary>
    public Task<ulong[]> GetDebugRegistersAsync(int tid) => tracer.Invoke(() =>
    {
        var t = Thread(tid);
        RequireStopped(t);
        var result = new ulong[8];
        foreach (var i in new[] { 0, 1, 2, 3, 6, 7 }) result[i] = PeekDebugRegister(t.Tid, i);
        return result;
    });

    /// <summary>Reads memory with our breakpoint bytes replaced by the original bytes; returns how many bytes were
    /// readable.</summary>
    public int Read(ulong address, Span<byte> buffer)
    {
        var n = memory.Read(address, buffer);
        if (n < buffer.Length && tracer.IsCurrent && state == RunState.Stopped)
            n += PeekRead(address + (ulong)n, buffer[n..]);
        MaskBreakpoints(address, buffer[..n]);
        return n;
    }

    /// <summary>Writes memory (including read-only text); bytes under our breakpoints update the saved originals so
    /// the breakpoints stay in place. Returns how many bytes were written.</summary>
    public int Write(ulong address, ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        lock (sitesGate)
        {
            foreach (var site in sites.Values)
            {
                // The instruction under a site may have changed: how it runs out of line is worked out again.
                if (site.Address + 15 > address && site.Address < address + (ulong)copy.Length) site.Displaced = null;
                if (site.Address >= address && site.Address < address + (ulong)copy.Length)
                {
                    var i = (int)(site.Address - address);
                    site.Original = copy[i];
                    if (site.Inserted) copy[i] = Int3;
                    NoteSite(site.Address, site.Original);
                }
            }
            return memory.Write(address, copy);
        }
    }

    /// <inheritdoc/>
    /// <remarks>A decision runs on the tracer thread when the hit is seen, before the other threads are stopped; one that
    /// throws reports the hit, as gdb and lldb stop on a condition they cannot evaluate.</remarks>
    public Task InsertBreakpointAsync(ulong address, BreakpointDecision? decide = null) => tracer.Invoke(() =>
    {
        RequireAlive();
        InsertOne(address, decide);
    });

    /// <inheritdoc/>
    /// <remarks>One visit to the tracer thread for all of them.</remarks>
    public Task<IReadOnlyList<TargetException?>> InsertBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions) =>
        tracer.Invoke(() => EachOf(insertions, i => InsertOne(i.Address, i.Decide)));

    /// <summary>Removes one insertion of the software breakpoint at <paramref name="address"/> (the one made with
    /// <paramref name="decide"/>, or a plain one), restoring the byte when none is left.</summary>
    public Task RemoveBreakpointAsync(ulong address, BreakpointDecision? decide = null) => tracer.Invoke(() =>
    {
        RequireAlive();
        RemoveOne(address, decide);
    });

    /// <inheritdoc/>
    /// <remarks>One visit to the tracer thread for all of them.</remarks>
    public Task<IReadOnlyList<TargetException?>> RemoveBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions) =>
        tracer.Invoke(() => EachOf(insertions, i => RemoveOne(i.Address, i.Decide)));

    private IReadOnlyList<TargetException?> EachOf(IReadOnlyList<BreakpointInsertion> insertions, Action<BreakpointInsertion> act)
    {
        RequireAlive();
        var failures = new TargetException?[insertions.Count];
        for (var i = 0; i < insertions.Count; i++)
        {
            try
            {
                act(insertions[i]);
            }
            catch (TargetException e)
            {
                failures[i] = e;
            }
        }
        return failures;
    }

    private void InsertOne(ulong address, BreakpointDecision? decide)
    {
        var site = AcquireSite(address);
        lock (sitesGate)
        {
            if (decide is null) site.UserCount++;
            else site.Decisions.Add(decide);
        }
    }

    private void RemoveOne(ulong address, BreakpointDecision? decide)
    {
        lock (sitesGate)
        {
            if (!sites.TryGetValue(address, out var site) || (decide is null ? site.UserCount == 0 : !site.Decisions.Remove(decide)))
                throw new TraceException($"there is no breakpoint at 0x{address:x} to remove");
            if (decide is null) site.UserCount--;
            ReleaseSite(site);
        }
    }

    /// <summary>Programs a free debug register on every thread (and every thread created later) to trap on
    /// <paramref name="kind"/> accesses to <paramref name="size"/> bytes at <paramref name="address"/>; returns the slot.</summary>
    public Task<DebugRegisterSlot> SetWatchpointAsync(ulong address, int size, WatchKind kind) => tracer.Invoke(() =>
    {
        RequireStopped();
        if (kind == WatchKind.Execute) size = 1;
        if (size is not (1 or 2 or 4 or 8))
            throw new ArgumentException($"a watchpoint covers 1, 2, 4 or 8 bytes, not {size}", nameof(size));
        if (address % (ulong)size != 0)
            throw new ArgumentException($"a {size}-byte watchpoint needs an address aligned to {size} bytes; 0x{address:x} is not", nameof(address));
        var index = Array.FindIndex(slots, s => s == null);
        if (index < 0)
            throw new TraceException("all four x86 debug registers are in use; clear a watchpoint or hardware breakpoint first");
        var slot = new DebugRegisterSlot(index, address, size, kind);
        slots[index] = slot;
        foreach (var t in threads.Values.Where(t => !t.Running)) ApplyDebugRegisters(t.Tid);
        return slot;
    });

    /// <summary>Frees debug-register slot <paramref name="slot"/> on every thread.</summary>
    public Task ClearWatchpointAsync(int slot) => tracer.Invoke(() =>
    {
        RequireStopped();
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)slot, 3u, nameof(slot));
        slots[slot] = null;
        foreach (var t in threads.Values.Where(t => !t.Running)) ApplyDebugRegisters(t.Tid);
    });

    /// <summary>Kills a launched process or detaches from an attached one, then shuts the tracer thread down.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (state != RunState.Gone)
            {
                if (launched) await KillAsync().ConfigureAwait(false);
                else await DetachAsync().ConfigureAwait(false);
            }
        }
        catch (TraceException)
        {
            // The process vanished underneath us; there is nothing left to restore.
        }
        Abandon();
    }

    private void Abandon()
    {
        tracer.Stop();
        memory?.Dispose();
        events.Writer.TryComplete();
    }

    private void Emit(TargetEvent e) => events.Writer.TryWrite(e);

    private void Finish(TargetEvent last)
    {
        state = RunState.Gone;
        threads.Clear();
        threadIds = [];
        pendingStops.Clear();
        Emit(last);
        events.Writer.TryComplete();
    }

    private void RequireStopped()
    {
        if (state == RunState.Gone) throw new TraceeGoneException(Pid);
        if (state != RunState.Stopped)
            throw new TraceeStateException($"process {Pid} is running; pause it before asking for registers, stepping or resuming");
    }

    // Reading a thread's registers needs that thread stopped: the whole process, or, for a breakpoint decision running on
    // the tracer thread, the thread that hit.
    private void RequireStopped(TraceeThread thread)
    {
        if (state == RunState.Running && tracer.IsCurrent && !thread.Running) return;
        RequireStopped();
    }

    private void RequireAlive()
    {
        if (state == RunState.Gone) throw new TraceeGoneException(Pid);
    }

    private TraceeThread Thread(int tid) =>
        threads.TryGetValue(tid, out var t) ? t : throw new TraceException($"thread {tid} is not a thread of process {Pid}; use one of {string.Join(", ", threads.Keys.Order())}");

    // On the tracer thread: whether a thread may still report something, so the tracer blocks waiting for it.
    private bool AnyThreadRunning()
    {
        foreach (var t in threads.Values)
            if (t.Running) return true;
        return false;
    }

    private void PublishThreadIds() => threadIds = threads.Keys.Order().ToArray();
}
