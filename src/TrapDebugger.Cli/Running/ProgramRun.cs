using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using TrapDebugger.Cli.Reports;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Model;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Running;

/// <summary>A process under the debugger from launch or attach to its first reportable stop (a trap, a fault, a signal it
/// would die of, a Rust panic, an interrupt) or its end; signals the program handles or ignores are passed through.</summary>
/// <remarks>The processes the program forks are followed as <see cref="ForkSettings"/> say: the first reportable stop of any
/// of them (a watched child's crash, or any stop of a debugged one) is the run's report, made while that process is stopped.</remarks>
public sealed class ProgramRun : IAsyncDisposable
{
    private readonly Channel<DebugEvent> _events = Channel.CreateUnbounded<DebugEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly bool _attached;
    private readonly ForkSettings _forks;
    private readonly ProgramRun _root;
    private readonly List<Task> _children = [];
    private readonly CancellationTokenSource _disposing = new();
    private int _interrupt;
    // Set by the first process whose stop is reported (root only): every other process's stop is then passed over.
    private int _reported;
    private TargetProcess? _reportedProcess;
    private readonly TaskCompletionSource _reportDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TargetProcess, int> _parents = new();

    private ProgramRun(TargetProcess process, bool attached, ForkSettings forks, ProgramRun? root)
    {
        Process = process;
        _attached = attached;
        _forks = forks;
        _root = root ?? this;
        process.Event += e => _events.Writer.TryWrite(e);
    }

    /// <summary>The process.</summary>
    public TargetProcess Process { get; }

    /// <summary>Wraps a launched or attached process (stopped at entry or at the attach) whose events have not been read yet.</summary>
    public static ProgramRun Of(TargetProcess process, bool attached, ForkSettings? forks = null) => new(process, attached, forks ?? new ForkSettings(), null);

    /// <summary>Posted to the root run when another process's stop was reported: the run ends.</summary>
    private sealed record OtherProcessReported : DebugEvent;

    /// <summary>Asks for the run to end at the next chance: the process is paused and reported (run) or detached (attach).</summary>
    /// <param name="signal">The signal the debugger itself received (SIGINT, SIGTERM).</param>
    public void Interrupt(int signal)
    {
        if (Interlocked.CompareExchange(ref _interrupt, signal, 0) != 0) return;
        _events.Writer.TryWrite(new OutputEvent("interrupt", signal.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The signal that interrupted the debugger, or 0.</summary>
    public int InterruptSignal => Volatile.Read(ref _interrupt);

    /// <summary>Resumes the process and waits for a stop worth reporting or for its end.</summary>
    /// <param name="output">Receives console messages of the engine (not the program's output).</param>
    /// <param name="onStop">Called once, with the process that stopped (this one, or one it forked) and the stop; that
    /// process is stopped while it runs.</param>
    /// <returns>The end: exited or signaled (no report), or null when <paramref name="onStop"/> ran, or for an interrupted attach.</returns>
    public async Task<ProgramEnd?> RunToStopAsync(TextWriter output, Func<TargetProcess, StopInfo, Task> onStop)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(onStop);
        // Waiting on a running process for a trap that may come much later: read the modules' debug information meanwhile.
        if (_attached && _root == this) _ = Process.PreloadSymbolsAsync(Process.Target.Modules);
        // A Rust panic is the stop to report, with its message, whether it then unwinds (exit 101) or aborts.
        await Process.SetLanguageEventsAsync([Traps.LanguageEvent.RustPanic]).ConfigureAwait(false);
        await Process.SetForkFollowingAsync(_forks.Follow, _forks.DetachOnFork).ConfigureAwait(false);
        await Process.ContinueAsync().ConfigureAwait(false);
        while (true)
        {
            var e = await _events.Reader.ReadAsync().ConfigureAwait(false);
            switch (e)
            {
                case ForkedProcessEvent forked:
                    lock (_children) _children.Add(RunForkedAsync(forked, output, onStop));
                    continue;
                case FollowedChildEvent followed:
                    if (_forks.ReportAll) await Say(output, $"trapdbg: following child process {followed.ChildId} of process {followed.ParentId}").ConfigureAwait(false);
                    continue;
                case OtherProcessReported:
                    // Another process's stop is the report: this one is ended (run) or left running (attach).
                    await EndAfterOtherReportAsync().ConfigureAwait(false);
                    return null;
                case OutputEvent { Category: "interrupt" }:
                    if (Process.HasExited) continue;
                    if (_attached) return null;
                    await PauseAsync().ConfigureAwait(false);
                    continue;
                case OutputEvent { Category: "console" } o:
                    await output.WriteAsync(o.Text).ConfigureAwait(false);
                    continue;
                case ExitedEvent x:
                    // A process it forked may be the report, and its end may be why this one exited (a parent waiting for
                    // its child): that report stands, once it is complete.
                    if (await IsAnotherProcessReportedAsync().ConfigureAwait(false)) return null;
                    return x.ExitCode is { } code
                        ? new ProgramEnd { How = "exited", ExitCode = code, Status = code & 0xff, DebuggerCheck = x.DebuggerCheck }
                        : x.Signal is { } sig
                            ? new ProgramEnd { How = "signaled", Signal = sig, Status = 128 + sig, DebuggerCheck = x.DebuggerCheck }
                            : new ProgramEnd { How = "detached", Status = 0 };
                case StoppedEvent s:
                    if (ShouldPass(s.Stop))
                    {
                        await Process.ContinueAsync().ConfigureAwait(false);
                        continue;
                    }
                    if (s.Stop.Cause is not (StopCause.Exception or StopCause.Pause))
                    {
                        // exec and the like: nothing to report, keep going.
                        await Process.ContinueAsync().ConfigureAwait(false);
                        continue;
                    }
                    if (s.Stop.Cause == StopCause.Pause && InterruptSignal == 0)
                    {
                        await Process.ContinueAsync().ConfigureAwait(false);
                        continue;
                    }
                    if (!await _root.TryReportAsync(Process, s.Stop, onStop, this).ConfigureAwait(false))
                    {
                        // Another process's stop was reported first: this one ends with the run.
                        await EndAfterOtherReportAsync().ConfigureAwait(false);
                    }
                    return null;
                default:
                    continue;
            }
        }
    }

    /// <summary>Reports the stop of <paramref name="process"/> when no other process's stop was reported yet; the root run
    /// then ends the others.</summary>
    private async Task<bool> TryReportAsync(TargetProcess process, StopInfo stop, Func<TargetProcess, StopInfo, Task> onStop, ProgramRun from)
    {
        if (Interlocked.CompareExchange(ref _reported, 1, 0) != 0) return false;
        _reportedProcess = process;
        try
        {
            await onStop(process, stop).ConfigureAwait(false);
        }
        finally
        {
            _reportDone.TrySetResult();
        }
        if (from != this) _events.Writer.TryWrite(new OtherProcessReported());
        return true;
    }

    /// <summary>True when the stop of another process (one the program forked, or its parent) is the run's report; waits
    /// until that report is complete.</summary>
    private async Task<bool> IsAnotherProcessReportedAsync()
    {
        if (Volatile.Read(ref _root._reported) == 0) return false;
        await _root._reportDone.Task.ConfigureAwait(false);
        return !ReferenceEquals(_root._reportedProcess, Process);
    }

    /// <summary>Runs a process the program forked: watched for a crash (detach-on-fork) or debugged as this one is.</summary>
    private Task RunForkedAsync(ForkedProcessEvent forked, TextWriter output, Func<TargetProcess, StopInfo, Task> onStop) => Task.Run(async () =>
    {
        var child = forked.Process;
        var pid = child.ProcessId;
        _root._parents[child] = forked.ParentId;
        if (!forked.Debug)
        {
            var end = await ForkedProcessWatch.RunAsync(child, stop => _root.TryReportAsync(child, stop, onStop, this), _disposing.Token).ConfigureAwait(false);
            // A crash that became the report says itself; a crash after the report, or any end with --fork-events all, says one line.
            if (_forks.ReportAll || (end.Kind == ForkedProcessEndKind.Crashed && !ReferenceEquals(_root._reportedProcess, child)))
                await Say(output, $"trapdbg: {end.Description}").ConfigureAwait(false);
            return;
        }
        await using var run = new ProgramRun(child, _attached, _forks, _root);
        try
        {
            var end = await run.RunToStopAsync(output, onStop).ConfigureAwait(false);
            if (_forks.ReportAll && end is not null)
                await Say(output, $"trapdbg: {(forked.IsParent ? "parent" : "child")} process {pid} {end.How}{(end.ExitCode is { } code ? $" with status {code}" : "")}").ConfigureAwait(false);
        }
        catch (EngineException e) when (child.HasExited)
        {
            if (_forks.ReportAll) await Say(output, $"trapdbg: process {pid} ended: {e.Message}").ConfigureAwait(false);
        }
    });

    /// <summary>The process that forked <paramref name="process"/>, when the program made it.</summary>
    public int? ParentOf(TargetProcess process) => _root._parents.TryGetValue(process, out var parent) ? parent : null;

    /// <summary>Lets a process the program made go after its report: a signal stops it at the signal it would die of, so it
    /// is let go with it and dies as it would have; any other stop (a Rust panic) ends it.</summary>
    public static async Task<ProgramEnd> EndOfForkedAsync(TargetProcess process, StopInfo stop)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(stop);
        try
        {
            if (stop.Fate == SignalFate.Fatal && stop.Diagnosis?.Signal is > 0 and var signal)
            {
                await process.DetachAsync().ConfigureAwait(false);
                return new ProgramEnd { How = "signaled", Signal = signal, Status = 128 + signal };
            }
            await process.TerminateAsync().ConfigureAwait(false);
        }
        catch (EngineException) when (process.HasExited)
        {
        }
        return new ProgramEnd { How = "killed", Status = 128 + Signals.SIGKILL };
    }

    /// <summary>Ends this process after another one's report: killed (run), or let go (attach).</summary>
    private async Task EndAfterOtherReportAsync()
    {
        if (Process.HasExited) return;
        try
        {
            if (_attached) await Process.DetachAsync().ConfigureAwait(false);
            else await Process.TerminateAsync().ConfigureAwait(false);
        }
        catch (EngineException) when (Process.HasExited)
        {
        }
    }

    private static async Task Say(TextWriter output, string line)
    {
        await output.WriteLineAsync(line).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Pauses the running process once; its stop (or its end) arrives as an event of the run.</summary>
    private async Task PauseAsync()
    {
        try
        {
            await Process.PauseAsync().ConfigureAwait(false);
        }
        catch (EngineException)
        {
            // The process ended meanwhile: its exit event ends the run.
        }
    }

    /// <summary>True for a signal the program uses for itself: it has a handler for it or ignores it, or its default action is
    /// not to die (the engine's <see cref="SignalFate"/>); a signal the program would die of and a Rust panic are reported.</summary>
    private bool ShouldPass(StopInfo stop)
    {
        if (stop.Cause != StopCause.Exception || stop.Event != Traps.LanguageEvent.None || stop.Diagnosis is not { Signal: > 0 and var signal }) return false;
        if (InterruptSignal != 0 && signal is Signals.SIGINT or Signals.SIGTERM) return false;
        return stop.Fate is SignalFate.Handled or SignalFate.Harmless;
    }

    /// <summary>Kills the process after a report; the status is 128 + the signal it stopped with (it would have died of it).</summary>
    public async Task<ProgramEnd> KillAfterStopAsync(StopInfo stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        await Process.TerminateAsync().ConfigureAwait(false);
        // A stop at a language event (a Rust panic) is no signal: the program is killed, not about to die of one.
        if (stop.Event != Traps.LanguageEvent.None) return new ProgramEnd { How = "killed", Signal = null, Status = 128 + 9 };
        var signal = stop.Diagnosis?.Signal is > 0 and var s ? s : InterruptSignal is > 0 and var i ? i : 9;
        return new ProgramEnd { How = "killed", Signal = signal, Status = 128 + signal };
    }

    /// <summary>Detaches from the process and leaves it running.</summary>
    /// <exception cref="EngineException">The running process could not be stopped to detach from it (a thread stuck in
    /// uninterruptible I/O); the message says so.</exception>
    public async Task<ProgramEnd> DetachAsync()
    {
        if (Process.HasExited) return new ProgramEnd { How = "exited", Status = 0 };
        try
        {
            // The engine pauses a running process and waits for that stop before it detaches.
            await Process.DetachAsync().ConfigureAwait(false);
        }
        catch (EngineException) when (Process.HasExited)
        {
            return new ProgramEnd { How = "exited", Status = 0 };
        }
        return new ProgramEnd { How = "detached", Status = InterruptSignal > 0 ? 128 + InterruptSignal : 0 };
    }

    /// <summary>Registers SIGINT and SIGTERM handlers that interrupt this run instead of killing the debugger.</summary>
    public IDisposable HandleTerminalSignals()
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, Signals.SIGINT), (PosixSignal.SIGTERM, Signals.SIGTERM) })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Interrupt(number);
            }));
        }
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in registrations) r.Dispose();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        Task[] children;
        lock (_children) children = [.. _children];
        // A watched process is let go when its watch is cancelled; a debugged one when its run is disposed.
        try
        {
            await Task.WhenAll(children).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or EngineException or TargetException)
        {
        }
        _disposing.Dispose();
        try
        {
            await Process.DisposeAsync().ConfigureAwait(false);
        }
        catch (EngineException)
        {
        }
    }
}
