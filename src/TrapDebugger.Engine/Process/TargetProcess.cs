using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Native;
using TrapDebugger.Native.Events;
using TrapDebugger.Native.Launch;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Engine.Process;

/// <summary>A process under the debugger: run control (continue, pause, step), breakpoints, stacks, variables,
/// expressions and stop diagnosis, in the all-stop model. This is the API the DAP adapter and the CLI drive.</summary>
/// <remarks>
/// Run-control methods return as soon as the process is resumed; the outcome arrives as a <see cref="StoppedEvent"/>
/// (or <see cref="ExitedEvent"/>) on <see cref="Event"/>. Inspection methods (stack, variables, evaluate) require the
/// process to be stopped and are answered from the state of that stop; ids they hand out (frame ids, variable
/// references) are valid until the next resume.
/// </remarks>
public sealed partial class TargetProcess : IAsyncDisposable
{
    // Signals a program uses for its own purposes: delivered without stopping, as lldb does by default.
    private static readonly HashSet<int> PassSignals = [14, 17, 23, 26, 27, 28, 29, 32, 33];

    private readonly TraceeProcess _native;
    private readonly NativeTargetMemory _memory;
    private readonly FrameSymbolizer _symbolizer;
    private readonly Lock _gate = new();
    // Modules of programs replaced by exec, disposed with the process.
    private readonly List<Module> _retiredModules = [];
    // Counts execs: a temporary breakpoint inserted before one is gone with the old address space and must not be removed.
    private int _execGeneration;
    private Task _runTask = Task.CompletedTask;
    private volatile bool _running;
    private volatile bool _exited;
    private StopInfo? _lastStop;
    // A pause asked for while a run is under way and not yet answered by a reported stop (guarded by _gate).
    private bool _pauseRequested;

    private TargetProcess(TraceeProcess native, string? programPath)
    {
        _native = native;
        _memory = new NativeTargetMemory(native);
        Target = new Target();
        _symbolizer = new FrameSymbolizer(Target);
        ProgramPath = programPath ?? ProcFs.Executable(native.Pid);
    }

    /// <summary>Raised for every stop, resume, thread, module, output and exit; handlers run on the engine's event thread and must not block.</summary>
    public event Action<DebugEvent>? Event;

    /// <summary>The modules of the process.</summary>
    public Target Target { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _native.Pid;

    /// <summary>The path of the program (the new one after an exec).</summary>
    public string? ProgramPath { get; private set; }

    /// <summary>True while the process is stopped and can be inspected.</summary>
    public bool IsStopped => !_running && !_exited;

    /// <summary>True once the process has exited, been killed or detached.</summary>
    public bool HasExited => _exited;

    /// <summary>The last stop, or null while running.</summary>
    public StopInfo? LastStop => _running ? null : _lastStop;

    /// <summary>The program's stdout when launched with piped output.</summary>
    public Stream? StandardOutput => _native.StandardOutput;

    /// <summary>The program's stderr when launched with piped output.</summary>
    public Stream? StandardError => _native.StandardError;

    /// <summary>The program's stdin when launched with a piped input.</summary>
    public Stream? StandardInput => _native.StandardInput;

    /// <summary>The memory of the process.</summary>
    public Values.ITargetMemory Memory => _memory;

    /// <summary>Starts <paramref name="options"/>.Program stopped at its entry point (after the dynamic loader, before any of its code).</summary>
    /// <exception cref="EngineException">The program cannot be started or traced; the message says why.</exception>
    public static async Task<TargetProcess> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default)
    {
        TraceeProcess native;
        try
        {
            native = await TraceeProcess.LaunchAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Native.Errors.TraceException or IOException or UnauthorizedAccessException or FileNotFoundException or ArgumentException)
        {
            throw new EngineException($"cannot launch '{options.Program}': {e.Message}", e);
        }
        var process = new TargetProcess(native, Path.GetFullPath(native.Pid > 0 ? ProcFs.Executable(native.Pid) ?? options.Program : options.Program));
        await process.InitializeAsync(StopCause.Entry).ConfigureAwait(false);
        return process;
    }

    /// <summary>Attaches to running process <paramref name="pid"/> and stops every thread.</summary>
    /// <exception cref="EngineException">The process does not exist or cannot be traced; the message says why and what to do.</exception>
    public static async Task<TargetProcess> AttachAsync(int pid, CancellationToken cancellationToken = default)
    {
        TraceeProcess native;
        try
        {
            native = await TraceeProcess.AttachAsync(pid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Native.Errors.TraceException or IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot attach to process {pid}: {e.Message}", e);
        }
        var process = new TargetProcess(native, null);
        await process.InitializeAsync(StopCause.Attach).ConfigureAwait(false);
        return process;
    }

    private async Task InitializeAsync(StopCause cause)
    {
        PrepareAnalysis();
        AddMainProgram();
        AddVdso();
        // The first event is the initial stop; module events may surround it.
        ProcessStopped? first = null;
        while (first is null)
        {
            var e = await _native.Events.ReadAsync().ConfigureAwait(false);
            if (e is ProcessStopped s) first = s;
            else if (!HandleAsyncEvent(e)) throw new EngineException("the process ended before its first stop");
        }
        while (_native.Events.TryRead(out var more)) HandleAsyncEvent(more);
        foreach (var m in _native.Modules) AddModule(m.Path, m.LoadBias);
        _lastStop = new StopInfo(first.ThreadId, cause, cause == StopCause.Entry ? "Stopped at the entry point" : "Attached", [], null, 0);
    }

    private void AddMainProgram()
    {
        if (ProgramPath is null) return;
        try
        {
            var auxv = ProcFs.Auxv(ProcessId);
            using var elf = Elf.ElfFile.Open(ProgramPath);
            ulong bias = auxv[AuxVector.AT_ENTRY] is { } entry ? entry - elf.Header.Entry : 0;
            var module = Target.Add(ProgramPath, bias, isMainProgram: true);
            Raise(new ModuleEvent(module, true));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Raise(new OutputEvent("console", $"cannot read the program '{ProgramPath}': {e.Message}\n"));
        }
    }

    /// <summary>Adds the kernel's vDSO, read from process memory (it has no file), so its CFI and symbols serve the
    /// unwinder and the symbolizer for threads stopped in clock_gettime and friends.</summary>
    private void AddVdso()
    {
        const int MaxVdsoSize = 1 << 20;
        try
        {
            if (ProcFs.Auxv(ProcessId)[AuxVector.AT_SYSINFO_EHDR] is not { } start || start == 0) return;
            // The whole image is mapped in one region (section headers included); its size comes from the maps line.
            var region = ProcFs.Maps(ProcessId).FirstOrDefault(r => r.Start == start);
            if (region is null || region.End - region.Start > MaxVdsoSize) return;
            var image = new byte[region.End - region.Start];
            if (_memory.Read(start, image) != image.Length) return;
            using var elf = Elf.ElfFile.Read(image, "[vdso]");
            var first = elf.Segments.Where(s => s.Type == Elf.ElfSegmentType.Load).Select(s => s.VirtualAddress).DefaultIfEmpty(0UL).Min();
            var module = Target.AddImage("[vdso]", image, start - first);
            Raise(new ModuleEvent(module, true));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Raise(new OutputEvent("console", $"cannot read the vDSO of process {ProcessId}: {e.Message}\n"));
        }
    }

    private void AddModule(string path, ulong bias)
    {
        if (Target.Modules.Any(m => m.Path == path && m.LoadBias == bias)) return;
        // The loader's link map names the vDSO "linux-vdso.so.1", a file that does not exist: it is the [vdso] module.
        if (Target.Modules.Any(m => m.IsMemoryImage && m.LoadBias == bias) && !File.Exists(path)) return;
        var module = Target.Add(path, bias, isMainProgram: false);
        Raise(new ModuleEvent(module, true));
        ResolvePendingBreakpoints(module);
        WatchDebuggerChecks(module);
    }

    /// <summary>Handles an event that is not a stop; returns false when it ends the process.</summary>
    private bool HandleAsyncEvent(TraceEvent e)
    {
        switch (e)
        {
            case ModuleLoaded m:
                AddModule(m.Path, m.LoadBias);
                return true;
            case ModuleUnloaded u:
                if (Target.Remove(u.Path, u.LoadBias) is { } gone) Raise(new ModuleEvent(gone, false));
                return true;
            case ThreadCreated t:
                Raise(new ThreadEvent(t.ThreadId, true));
                return true;
            case ThreadExited t:
                Raise(new ThreadEvent(t.ThreadId, false));
                return true;
            case ProcessExecuted x:
                // The old images are gone with the old address space; readers that still hold one finish with it
                // before it is disposed with the process.
                Interlocked.Increment(ref _execGeneration);
                foreach (var old in Target.Clear())
                {
                    _retiredModules.Add(old);
                    Raise(new ModuleEvent(old, false));
                }
                Raise(new OutputEvent("console", $"process {ProcessId} executed '{x.ExecutablePath}'\n"));
                if (x.ExecutablePath.Length > 0) ProgramPath = x.ExecutablePath;
                AddMainProgram();
                AddVdso();
                return true;
            case ChildDetached c:
                Raise(new OutputEvent("console", $"child process {c.ChildPid} was detached and runs untraced\n"));
                return true;
            case ProcessExited x:
                var check = DescribeDebuggerCheck();
                End(new ExitedEvent(x.ExitCode, null, $"Process {ProcessId} exited with status {x.ExitCode}{(check is null ? "" : "; " + check)}") { DebuggerCheck = check });
                return false;
            case ProcessKilled k:
                End(new ExitedEvent(null, k.Signal, $"Process {ProcessId} was killed by {SignalNames.Of(k.Signal)}{(k.CoreDumped ? " (core dumped)" : "")}"));
                return false;
            case ProcessDetached:
                End(new ExitedEvent(null, null, $"Detached from process {ProcessId}"));
                return false;
            default:
                return true;
        }
    }

    // How the process ended, for a call that was running in it.
    private string? _exitDescription;

    private void End(ExitedEvent e)
    {
        if (_exited) return;
        _exitDescription = e.Description;
        _exited = true;
        _running = false;
        InvalidateStopState();
        Raise(e);
    }

    private void Raise(DebugEvent e)
    {
        try
        {
            Event?.Invoke(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing client handler must not break the engine's event loop.
        }
    }

    /// <summary>Reports the initial stop as a <see cref="StoppedEvent"/> (for stopOnEntry and attach).</summary>
    public void ReportInitialStop()
    {
        if (_lastStop is { } s && IsStopped) Raise(new StoppedEvent(s));
    }

    /// <summary>The threads of the process.</summary>
    public IReadOnlyList<ThreadInfo> Threads
    {
        get
        {
            var result = new List<ThreadInfo>();
            foreach (var tid in _native.ThreadIds)
            {
                string name;
                try
                {
                    name = File.ReadAllText($"/proc/{ProcessId}/task/{tid}/comm").TrimEnd('\n');
                }
                catch (IOException)
                {
                    name = $"thread {tid}";
                }
                result.Add(new ThreadInfo(tid, name));
            }
            return result;
        }
    }

    /// <summary>Throws unless the process is stopped.</summary>
    private void RequireStopped()
    {
        if (_exited) throw new EngineException("the process has exited");
        if (_running) throw new EngineException("the process is running; pause it first");
    }

    /// <summary>Resumes every thread; the next stop arrives as a <see cref="StoppedEvent"/>.</summary>
    public Task ContinueAsync() => StartRun(ct => ContinueLoopAsync(), "continue");

    /// <summary>Stops every thread; the stop arrives as a <see cref="StoppedEvent"/> with cause <see cref="StopCause.Pause"/>.</summary>
    public async Task PauseAsync()
    {
        if (_exited) throw new EngineException("the process has exited");
        Task pause;
        lock (_gate)
        {
            if (!_running) return;
            // The run loop may not have resumed the native process yet, or may be about to resume it again after a
            // stop it passes over; a native pause is a no-op while stopped, so the loop also checks this flag before
            // every resume. Queuing the native pause under the gate orders it after any resume queued under it.
            _pauseRequested = true;
            pause = _native.PauseAsync();
        }
        try
        {
            await pause.ConfigureAwait(false);
        }
        catch (Native.Errors.TraceException e)
        {
            throw new EngineException($"cannot pause process {ProcessId}: {e.Message}", e);
        }
    }

    /// <summary>Kills the process.</summary>
    public async Task TerminateAsync()
    {
        if (_exited) return;
        try
        {
            await _native.KillAsync().ConfigureAwait(false);
        }
        catch (Native.Errors.TraceException)
        {
            // Already gone.
        }
        if (!_running) await DrainUntilExitAsync().ConfigureAwait(false);
        else await _runTask.ConfigureAwait(false);
    }

    /// <summary>Removes every breakpoint and data breakpoint and lets the process run on untraced, or, with
    /// <paramref name="keepStopped"/>, leaves it in a job-control stop (SIGSTOP) until something sends it SIGCONT.</summary>
    public async Task DetachAsync(bool keepStopped = false)
    {
        if (_exited) return;
        if (_running)
        {
            await PauseAsync().ConfigureAwait(false);
            await _runTask.ConfigureAwait(false);
        }
        await RemoveAllBreakpointSitesAsync().ConfigureAwait(false);
        try
        {
            await _native.DetachAsync(keepStopped).ConfigureAwait(false);
        }
        catch (Native.Errors.TraceException e)
        {
            throw new EngineException($"cannot detach from process {ProcessId}: {e.Message}", e);
        }
        await DrainUntilExitAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until the current run (continue or step) has ended in a stop or exit.</summary>
    public Task WaitForStopAsync() => _runTask;

    private async Task DrainUntilExitAsync()
    {
        try
        {
            while (!_exited && await _native.Events.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_native.Events.TryRead(out var e)) HandleAsyncEvent(e);
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
        if (!_exited) End(new ExitedEvent(null, null, $"Process {ProcessId} ended"));
    }

    private Task StartRun(Func<CancellationToken, Task> run, string what)
    {
        lock (_gate)
        {
            RequireStopped();
            _running = true;
            InvalidateStopState();
            _runTask = Task.Run(async () =>
            {
                try
                {
                    await run(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is EngineException or Native.Errors.TraceException or InvalidOperationException)
                {
                    Raise(new OutputEvent("console", $"{what} failed: {e.Message}\n"));
                    if (!_exited) ReportStop(new StopInfo(_lastStop?.ThreadId ?? ProcessId, StopCause.Pause, $"{what} failed: {e.Message}", [], null, 0));
                }
            });
        }
        return Task.CompletedTask;
    }

    /// <summary>Resumes with <paramref name="resume"/> and returns the next stop, handling module/thread events on the way; null when the process ended.</summary>
    private async Task<ProcessStopped?> ResumeAndWaitAsync(Func<Task> resume)
    {
        InvalidateStopState();
        Task resumed;
        lock (_gate)
        {
            if (_pauseRequested) return new ProcessStopped(_lastStop?.ThreadId ?? ProcessId, StopReason.Pause, null, 0, null, 0);
            resumed = resume();
        }
        await resumed.ConfigureAwait(false);
        while (await _native.Events.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_native.Events.TryRead(out var e))
            {
                if (e is ProcessStopped s) return s;
                if (!HandleAsyncEvent(e)) return null;
            }
        }
        if (!_exited) End(new ExitedEvent(null, null, $"Process {ProcessId} ended"));
        return null;
    }

    private async Task ContinueLoopAsync()
    {
        Raise(new ContinuedEvent(_lastStop?.ThreadId ?? ProcessId));
        while (true)
        {
            var stop = await ResumeAndWaitAsync(() => _native.ContinueAsync()).ConfigureAwait(false);
            if (stop is null) return;
            var info = await ClassifyStopAsync(stop, stepping: false).ConfigureAwait(false);
            if (info is null) continue;
            ReportStop(info);
            return;
        }
    }

    private void ReportStop(StopInfo info)
    {
        lock (_gate)
        {
            _lastStop = info;
            _pauseRequested = false;
            _running = false;
        }
        Raise(new StoppedEvent(info));
    }

    /// <summary>Decides what a native stop means: a stop to report, or null to keep going (false condition, logpoint, passed signal).</summary>
    private async Task<StopInfo?> ClassifyStopAsync(ProcessStopped stop, bool stepping)
    {
        switch (stop.Reason)
        {
            case StopReason.Breakpoint:
                {
                    var (report, ids, cause) = await EvaluateBreakpointHitAsync(stop).ConfigureAwait(false);
                    if (!report) return null;
                    if (cause == StopCause.Exception) return await DiagnoseStopAsync(stop, LanguageEventAt(stop.Address)).ConfigureAwait(false);
                    var description = ids.Count > 0 ? $"breakpoint {string.Join(", ", ids)}" : "breakpoint";
                    return new StopInfo(stop.ThreadId, cause, description, ids, null, 0);
                }
            case StopReason.Signal when stop.Signal is { } sig && PassSignals.Contains(sig.Signo):
                return null;
            case StopReason.Signal:
                return await DiagnoseStopAsync(stop).ConfigureAwait(false);
            case StopReason.Pause:
                return new StopInfo(stop.ThreadId, StopCause.Pause, "paused", [], null, 0);
            case StopReason.Step:
                return new StopInfo(stop.ThreadId, StopCause.Step, "step", [], null, 0);
            case StopReason.Watchpoint:
                return await EvaluateDataBreakpointHitAsync(stop).ConfigureAwait(false);
            case StopReason.Exec:
                ResolveAllBreakpoints();
                await ForgetDataBreakpointsAsync("the process executed a new program").ConfigureAwait(false);
                return new StopInfo(stop.ThreadId, StopCause.Exec, "process executed a new program", [], null, 0);
            default:
                _ = stepping;
                return new StopInfo(stop.ThreadId, StopCause.Pause, stop.Reason.ToString(), [], null, 0);
        }
    }

    /// <summary>The general registers of stopped thread <paramref name="threadId"/> (its innermost frame), numbered as DWARF numbers them.</summary>
    public Task<RegisterSet> GetRegistersAsync(int threadId)
    {
        RequireStopped();
        return ReadRegistersAsync(threadId);
    }

    /// <summary>The registers of thread <paramref name="threadId"/> as the unwinder's innermost frame.</summary>
    internal async Task<RegisterSet> ReadRegistersAsync(int threadId)
    {
        var g = await _native.GetRegistersAsync(threadId).ConfigureAwait(false);
        var set = new RegisterSet { Rflags = g.Eflags, FsBase = g.FsBase, GsBase = g.GsBase };
        for (int i = 0; i < RegisterSet.Count; i++) set.Set(i, g.GetByDwarfNumber(i));
        return set;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_exited)
        {
            try
            {
                await TerminateAsync().ConfigureAwait(false);
            }
            catch (EngineException)
            {
            }
        }
        await _native.DisposeAsync().ConfigureAwait(false);
        Target.Dispose();
        foreach (var m in _retiredModules) m.Dispose();
    }
}
