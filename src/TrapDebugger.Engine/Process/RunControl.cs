using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Process;

/// <summary>Whether the process runs, and the one loop that resumes it and reads its events: every resume discards the
/// stop's snapshot, every target stop is classified (reported, or passed over for a false condition or a logpoint),
/// and thread, module and exit events are handled on the way.</summary>
/// <remarks>A pause is recorded under the same lock as every resume, so a pause sent right after a continue is never
/// lost (a client sends one pause and waits for its stop).</remarks>
internal sealed class RunControl
{
    private readonly ITarget _target;
    private readonly Target _modules;
    private readonly FrameSymbolizer _symbolizer;
    private readonly BreakpointTable _breakpoints;
    private readonly StopDiagnoser _diagnoser;
    private readonly ModuleTracker _tracker;
    private readonly DebuggerCheckWatch _checks;
    private readonly Action<DebugEvent> _raise;
    private readonly StopIds _ids = new();
    private readonly Lock _gate = new();
    private StopSnapshot? _snapshot;
    private Task _runTask = Task.CompletedTask;
    private volatile bool _running;
    private volatile bool _exited;
    private StopInfo? _lastStop;
    // A pause asked for while a run is under way and not yet answered by a reported stop (guarded by _gate).
    private bool _pauseRequested;
    // Counts execs: a temporary breakpoint inserted before one is gone with the old address space and must not be removed.
    private int _execGeneration;
    // Set by SetForkFollowingAsync: the target keeps a fork's other process, which is debugged or only watched.
    private (ForkFollow Follow, bool DetachOnFork)? _forks;

    public RunControl(ITarget target, Target modules, FrameSymbolizer symbolizer, BreakpointTable breakpoints, StopDiagnoser diagnoser,
        ModuleTracker tracker, DebuggerCheckWatch checks, Action<DebugEvent> raise)
    {
        _tracker = tracker;
        _checks = checks;
        _target = target;
        _modules = modules;
        _symbolizer = symbolizer;
        _breakpoints = breakpoints;
        _diagnoser = diagnoser;
        _raise = raise;
    }

    /// <summary>True while the process is stopped and can be inspected.</summary>
    public bool IsStopped => !_running && !_exited;

    /// <summary>True while a run (continue, step) is under way.</summary>
    public bool IsRunning => _running;

    /// <summary>True once the process has exited, been killed or detached.</summary>
    public bool HasExited => _exited;

    /// <summary>The last stop, or null while running.</summary>
    public StopInfo? LastStop => _running ? null : _lastStop;

    /// <summary>The thread of the last stop, or the process id before the first.</summary>
    public int LastThreadId => _lastStop?.ThreadId ?? _target.ProcessId;

    /// <summary>How many execs the process has done: temporary breakpoints of an earlier generation are gone.</summary>
    public int ExecGeneration => Volatile.Read(ref _execGeneration);

    /// <summary>Calls a function of the program from an expression (set once, by the process that owns this run control).</summary>
    public Func<Variables.FrameScope, string, IReadOnlyList<Values.DebugValue>, Dwarf.Types.DwarfType?, Values.DebugValue>? FunctionCall { get; set; }

    /// <summary>The state of the current stop, made on first use after each resume.</summary>
    public StopSnapshot Snapshot
    {
        get
        {
            if (Volatile.Read(ref _snapshot) is { } current) return current;
            var fresh = new StopSnapshot(_target, _modules, _symbolizer, _ids, FunctionCall);
            return Interlocked.CompareExchange(ref _snapshot, fresh, null) ?? fresh;
        }
    }

    private void DiscardSnapshot() => Volatile.Write(ref _snapshot, null);

    /// <summary>Throws unless the process is stopped.</summary>
    public void RequireStopped()
    {
        if (_exited) throw new EngineException("the process has exited");
        if (_running) throw new EngineException("the process is running; pause it first");
        if (_calling) throw new EngineException("a function called from an expression is running; wait until it returns");
    }

    // True while one thread runs a function called from an expression (guarded by _gate).
    private bool _calling;
    // How the process ended, for a call that was running when it did.
    private string? _endDescription;

    /// <summary>Holds the stopped process while one of its threads runs code for the debugger (a function called from an
    /// expression): runs, steps and a second call are refused until the returned scope is disposed. The process stays
    /// stopped as far as clients can tell.</summary>
    /// <exception cref="EngineException">The process is not stopped, or another call is running.</exception>
    public IDisposable HoldForCall()
    {
        lock (_gate)
        {
            RequireStopped();
            _calling = true;
        }
        return new CallHold(this);
    }

    private sealed class CallHold(RunControl run) : IDisposable
    {
        public void Dispose()
        {
            lock (run._gate) run._calling = false;
        }
    }

    /// <summary>The next stop of the target while it is held for a call, handling thread, module and exit events on the
    /// way; null when <paramref name="timeout"/> passes first.</summary>
    /// <exception cref="Calls.ProcessEndedException">The process ended; the message says how.</exception>
    public async Task<ProcessStopped?> NextStopWhileHeldAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _target.Events.WaitToReadAsync(cts.Token).ConfigureAwait(false))
            {
                while (_target.Events.TryRead(out var e))
                {
                    if (e is ProcessStopped stop) return stop;
                    if (!await HandleEventAsync(e).ConfigureAwait(false)) throw new Calls.ProcessEndedException(_endDescription ?? "it ended");
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
        if (!_exited) End(new ExitedEvent(null, null, $"Process {_target.ProcessId} ended"));
        throw new Calls.ProcessEndedException(_endDescription ?? "it ended");
    }

    /// <summary>Reads the target's first stop (module and thread events may surround it) and returns it.</summary>
    /// <exception cref="EngineException">The process ended before it.</exception>
    public async Task<ProcessStopped> ReadFirstStopAsync()
    {
        ProcessStopped? first = null;
        while (first is null)
        {
            var e = await _target.Events.ReadAsync().ConfigureAwait(false);
            if (e is ProcessStopped s) first = s;
            else if (!await HandleEventAsync(e).ConfigureAwait(false)) throw new EngineException("the process ended before its first stop");
        }
        while (_target.Events.TryRead(out var more)) await HandleEventAsync(more).ConfigureAwait(false);
        return first;
    }

    /// <summary>Takes the target's first stop as the process's current stop: entry and attach as they are, any other (the
    /// signal a core file recorded) diagnosed as a stop would be.</summary>
    public async Task SetFirstStopAsync(ProcessStopped first)
    {
        _lastStop = first.Reason switch
        {
            StopReason.Entry => new StopInfo(first.ThreadId, StopCause.Entry, "Stopped at the entry point", [], null, 0),
            StopReason.Attach => new StopInfo(first.ThreadId, StopCause.Attach, "Attached", [], null, 0),
            _ => await ClassifyStopAsync(first).ConfigureAwait(false)
                 ?? new StopInfo(first.ThreadId, StopCause.Pause, first.Reason.ToString(), [], null, 0),
        };
    }

    /// <summary>Reports the initial stop as a <see cref="StoppedEvent"/> (for stopOnEntry and attach).</summary>
    public void ReportInitialStop()
    {
        if (_lastStop is { } s && IsStopped) _raise(new StoppedEvent(s));
    }

    /// <summary>Handles an event that is not a stop; returns false when it ends the process.</summary>
    private async Task<bool> HandleEventAsync(TargetEvent e)
    {
        switch (e)
        {
            case ModuleLoaded m:
                _tracker.Loaded(m);
                return true;
            case ModuleUnloaded u:
                _tracker.Unloaded(u);
                return true;
            case ThreadCreated t:
                _raise(new ThreadEvent(t.ThreadId, true));
                return true;
            case ThreadExited t:
                _raise(new ThreadEvent(t.ThreadId, false));
                return true;
            case ProcessExecuted x:
                Interlocked.Increment(ref _execGeneration);
                await _tracker.ExecutedAsync(x).ConfigureAwait(false);
                return true;
            case ChildDetached:
                // The program's business: a child without breakpoints, let go as gdb's detach-on-fork does.
                return true;
            case ProcessForked f:
                await HandleForkAsync(f).ConfigureAwait(false);
                return true;
            case ProcessExited x:
                var check = _checks.Describe();
                End(new ExitedEvent(x.ExitCode, null, $"Process {_target.ProcessId} exited with status {x.ExitCode}{(check is null ? "" : "; " + check)}")
                {
                    DebuggerCheck = check,
                });
                return false;
            case ProcessKilled k:
                var checkedFirst = _checks.Describe();
                End(new ExitedEvent(null, k.Signal, $"Process {_target.ProcessId} was killed by {Signals.Name(k.Signal)}{(k.CoreDumped ? " (core dumped)" : "")}{(checkedFirst is null ? "" : "; " + checkedFirst)}")
                {
                    DebuggerCheck = checkedFirst,
                });
                return false;
            case ProcessDetached:
                End(new ExitedEvent(null, null, $"Detached from process {_target.ProcessId}"));
                return false;
            case TargetConnectionLost lost:
                End(new ExitedEvent(null, null, lost.Message));
                return false;
            default:
                return true;
        }
    }

    /// <summary>Keeps the other process of every fork as its own <see cref="TargetProcess"/>, debugged or watched.</summary>
    public async Task SetForkFollowingAsync(ForkFollow follow, bool detachOnFork)
    {
        _forks = (follow, detachOnFork);
        try
        {
            await _target.SetForkOptionsAsync(new ForkOptions(follow, KeepOther: true)).ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            throw new EngineException($"cannot follow the forks of process {_target.ProcessId}: {e.Message}", e);
        }
    }

    private async Task HandleForkAsync(ProcessForked f)
    {
        var parent = f.FollowingChild ? f.Other?.ProcessId ?? 0 : _target.ProcessId;
        if (f.FollowingChild)
        {
            foreach (var tid in f.FormerThreadIds) _raise(new ThreadEvent(tid, false));
            foreach (var tid in _target.ThreadIds) _raise(new ThreadEvent(tid, true));
            DiscardSnapshot();
            _raise(new FollowedChildEvent(f.ChildPid, parent));
        }
        if (f.Other is not { } other || _forks is not { } forks) return;
        TargetProcess process;
        try
        {
            process = await TargetProcess.OpenAsync(other).ConfigureAwait(false);
            // A debugged process follows its own forks the same way; a watched one lets its children go.
            if (!forks.DetachOnFork) await process.SetForkFollowingAsync(forks.Follow, detachOnFork: false).ConfigureAwait(false);
        }
        catch (EngineException)
        {
            // It ended before its first stop: there is nothing to run or watch.
            return;
        }
        _raise(new ForkedProcessEvent(process, parent, f.FollowingChild, Debug: !forks.DetachOnFork));
    }

    private void End(ExitedEvent e)
    {
        if (_exited) return;
        _endDescription = e.Description;
        _exited = true;
        _running = false;
        DiscardSnapshot();
        _raise(e);
    }

    /// <summary>Starts <paramref name="run"/> on a worker and returns at once; a failure of the run is reported as a stop
    /// whose description says what failed.</summary>
    /// <exception cref="EngineException">The process is not stopped, or the target cannot run (a core file).</exception>
    public Task StartRun(Func<Task> run, string what)
    {
        lock (_gate)
        {
            RequireStopped();
            if (_target.ReadOnlyReason is { } why) throw new EngineException(why);
            _running = true;
            DiscardSnapshot();
            _runTask = Task.Run(async () =>
            {
                try
                {
                    await run().ConfigureAwait(false);
                }
                catch (Exception e) when (e is EngineException or TargetException or InvalidOperationException)
                {
                    _raise(new OutputEvent("console", $"{what} failed: {e.Message}\n"));
                    if (!_exited) ReportStop(new StopInfo(LastThreadId, StopCause.Pause, $"{what} failed: {e.Message}", [], null, 0));
                }
            });
        }
        return Task.CompletedTask;
    }

    /// <summary>Resumes every thread; the next stop arrives as a <see cref="StoppedEvent"/>.</summary>
    public Task ContinueAsync() => StartRun(ContinueLoopAsync, "continue");

    private async Task ContinueLoopAsync()
    {
        _raise(new ContinuedEvent(LastThreadId));
        while (true)
        {
            var stop = await ResumeAndWaitAsync(() => _target.ContinueAsync()).ConfigureAwait(false);
            if (stop is null) return;
            var info = await ClassifyStopAsync(stop).ConfigureAwait(false);
            if (info is null) continue;
            ReportStop(info);
            return;
        }
    }

    /// <summary>Resumes with <paramref name="resume"/> and returns the next stop, handling module/thread events on the way; null when the process ended.</summary>
    public async Task<ProcessStopped?> ResumeAndWaitAsync(Func<Task> resume)
    {
        DiscardSnapshot();
        Task resumed;
        lock (_gate)
        {
            if (_pauseRequested) return new ProcessStopped(LastThreadId, StopReason.Pause, null, 0, null, 0);
            resumed = resume();
        }
        await resumed.ConfigureAwait(false);
        while (await _target.Events.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_target.Events.TryRead(out var e))
            {
                if (e is ProcessStopped s) return s;
                if (!await HandleEventAsync(e).ConfigureAwait(false)) return null;
            }
        }
        if (!_exited) End(new ExitedEvent(null, null, $"Process {_target.ProcessId} ended"));
        return null;
    }

    /// <summary>Makes <paramref name="info"/> the current stop and reports it.</summary>
    public void ReportStop(StopInfo info)
    {
        lock (_gate)
        {
            _lastStop = info;
            _pauseRequested = false;
            _running = false;
        }
        _raise(new StoppedEvent(info));
    }

    /// <summary>Decides what a target stop means: a stop to report, or null to keep going (false condition, logpoint).</summary>
    public async Task<StopInfo?> ClassifyStopAsync(ProcessStopped stop)
    {
        switch (stop.Reason)
        {
            case StopReason.Breakpoint:
                {
                    var (report, ids, cause) = _breakpoints.TakeHit(stop, Snapshot);
                    if (!report) return null;
                    if (cause == StopCause.Exception)
                        return await _diagnoser.DiagnoseStopAsync(stop, Snapshot, _breakpoints.Addresses, _breakpoints.LanguageEventAt(stop.Address)).ConfigureAwait(false);
                    var description = ids.Count > 0 ? $"breakpoint {string.Join(", ", ids)}" : "breakpoint";
                    return new StopInfo(stop.ThreadId, cause, description, ids, null, 0);
                }
            case StopReason.Signal:
                return await _diagnoser.DiagnoseStopAsync(stop, Snapshot, _breakpoints.Addresses).ConfigureAwait(false);
            case StopReason.Pause:
                return new StopInfo(stop.ThreadId, StopCause.Pause, "paused", [], null, 0);
            case StopReason.Step:
                return new StopInfo(stop.ThreadId, StopCause.Step, "step", [], null, 0);
            case StopReason.Watchpoint:
                return await _breakpoints.EvaluateDataHitAsync(stop, Snapshot).ConfigureAwait(false);
            case StopReason.Exec:
                _breakpoints.ResolveAll();
                await _breakpoints.ForgetDataBreakpointsAsync("the process executed a new program").ConfigureAwait(false);
                return new StopInfo(stop.ThreadId, StopCause.Exec, "process executed a new program", [], null, 0);
            default:
                return new StopInfo(stop.ThreadId, StopCause.Pause, stop.Reason.ToString(), [], null, 0);
        }
    }

    /// <summary>Stops every thread; the stop arrives as a <see cref="StoppedEvent"/> with cause <see cref="StopCause.Pause"/>.</summary>
    public async Task PauseAsync()
    {
        if (_exited) throw new EngineException("the process has exited");
        Task pause;
        lock (_gate)
        {
            if (!_running) return;
            // The run loop may not have resumed the target yet, or may be about to resume it again after a stop it passes
            // over; a target's pause is a no-op while stopped, so the loop also checks this flag before every resume.
            // Queuing the target's pause under the gate orders it after any resume queued under it.
            _pauseRequested = true;
            pause = _target.PauseAsync();
        }
        try
        {
            await pause.ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            throw new EngineException($"cannot pause process {_target.ProcessId}: {e.Message}", e);
        }
    }

    /// <summary>Kills the process and waits for its end.</summary>
    public async Task TerminateAsync()
    {
        if (_exited) return;
        try
        {
            await _target.KillAsync().ConfigureAwait(false);
        }
        catch (TargetException)
        {
            // Already gone.
        }
        if (!_running) await DrainUntilExitAsync().ConfigureAwait(false);
        else await _runTask.ConfigureAwait(false);
    }

    /// <summary>Removes every breakpoint and lets the process go, or, with <paramref name="keepStopped"/>, leaves it in a
    /// job-control stop; a running process is paused first.</summary>
    public async Task DetachAsync(bool keepStopped)
    {
        if (_exited) return;
        if (_running)
        {
            await PauseAsync().ConfigureAwait(false);
            await _runTask.ConfigureAwait(false);
        }
        await _breakpoints.RemoveAllSitesAsync().ConfigureAwait(false);
        try
        {
            await _target.DetachAsync(keepStopped).ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            throw new EngineException($"cannot detach from process {_target.ProcessId}: {e.Message}", e);
        }
        await DrainUntilExitAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until the current run (continue or step) has ended in a stop or exit.</summary>
    public Task WaitForStopAsync() => _runTask;

    private async Task DrainUntilExitAsync()
    {
        try
        {
            while (!_exited && await _target.Events.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_target.Events.TryRead(out var e)) await HandleEventAsync(e).ConfigureAwait(false);
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
        if (!_exited) End(new ExitedEvent(null, null, $"Process {_target.ProcessId} ended"));
    }
}
