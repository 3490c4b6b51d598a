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
public sealed class ProgramRun : IAsyncDisposable
{
    private readonly Channel<DebugEvent> _events = Channel.CreateUnbounded<DebugEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly bool _attached;
    private readonly CancellationTokenSource _disposing = new();
    private Task _preload = Task.CompletedTask;
    private int _interrupt;

    private ProgramRun(TargetProcess process, bool attached)
    {
        Process = process;
        _attached = attached;
        process.Event += e => _events.Writer.TryWrite(e);
    }

    /// <summary>The process.</summary>
    public TargetProcess Process { get; }

    /// <summary>Wraps a launched or attached process (stopped at entry or at the attach) whose events have not been read yet.</summary>
    public static ProgramRun Of(TargetProcess process, bool attached) => new(process, attached);

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
    /// <param name="onStop">Called once with the stop; the process is stopped while it runs.</param>
    /// <returns>The end: exited or signaled (no report), or null when <paramref name="onStop"/> ran, or for an interrupted attach.</returns>
    public async Task<ProgramEnd?> RunToStopAsync(TextWriter output, Func<StopInfo, Task> onStop)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(onStop);
        // Waiting on a running process for a trap that may come much later: read the modules' debug information meanwhile.
        if (_attached) _preload = SymbolPreloader.Start(Process.Target.Modules, _disposing.Token);
        // A Rust panic is the stop to report, with its message, whether it then unwinds (exit 101) or aborts.
        await Process.SetLanguageEventsAsync([Traps.LanguageEvent.RustPanic]).ConfigureAwait(false);
        await Process.ContinueAsync().ConfigureAwait(false);
        while (true)
        {
            var e = await _events.Reader.ReadAsync().ConfigureAwait(false);
            switch (e)
            {
                case OutputEvent { Category: "interrupt" }:
                    if (Process.HasExited) continue;
                    if (_attached) return null;
                    await PauseAsync().ConfigureAwait(false);
                    continue;
                case OutputEvent { Category: "console" } o:
                    await output.WriteAsync(o.Text).ConfigureAwait(false);
                    continue;
                case ExitedEvent x:
                    return x.ExitCode is { } code
                        ? new ProgramEnd { How = "exited", ExitCode = code, Status = code & 0xff, DebuggerCheck = x.DebuggerCheck }
                        : x.Signal is { } sig
                            ? new ProgramEnd { How = "signaled", Signal = sig, Status = 128 + sig }
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
                    await onStop(s.Stop).ConfigureAwait(false);
                    return null;
                default:
                    continue;
            }
        }
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
        await _preload.ConfigureAwait(false);
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
