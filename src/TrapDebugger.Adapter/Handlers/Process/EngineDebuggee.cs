using System.Threading.Channels;
using TrapDebugger.Adapter.Handlers.Exceptions;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>The engine's <see cref="TargetProcess"/> as the session's debuggee: turns engine events into DAP events,
/// streams the launched program's output, and passes the stops the exception filters exclude back to the program.</summary>
/// <remarks>
/// Engine events arrive on the engine's thread, which must not block; they are queued and sent in order by one pump.
/// Run-control handlers hold the pump (<see cref="HoldEventsAsync"/>) until their response is out, so a client never
/// sees the <c>stopped</c> of a step before the step's own response. Before a <c>stopped</c> or <c>exited</c> event the
/// program's output written so far is sent, so the last lines before a crash come before the crash. Console output
/// queued back to back (a logpoint hit thousands of times a second) goes out as one <c>output</c> event.
/// </remarks>
public sealed class EngineDebuggee : IDebuggee
{
    private readonly EngineState state;
    private readonly Channel<DebugEvent> events = Channel.CreateUnbounded<DebugEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim eventGate = new(1, 1);
    private readonly ProgramIo.ProgramConsole? console;
    private readonly HashSet<int> announcedModules = [];
    private readonly ForkedProcesses forks;
    private Task pump = Task.CompletedTask;
    private int continuedToSuppress;
    private long threadsAnsweredAt = long.MinValue;

    /// <summary>How long a <c>stopped</c> event waits after the last <c>threads</c> answer (see <see cref="NoteThreadsAnswered"/>).</summary>
    public static readonly TimeSpan ThreadsAnswerSpacing = TimeSpan.FromMilliseconds(150);

    /// <summary>Wraps <paramref name="process"/> for the session of <paramref name="state"/>.</summary>
    public EngineDebuggee(EngineState state, TargetProcess process, bool wasLaunched, bool stopOnEntry, ProgramIo.ProgramConsole? console = null,
        bool terminatesByDefault = true)
    {
        this.state = state;
        this.console = console;
        Process = process;
        WasLaunched = wasLaunched;
        StopOnEntry = stopOnEntry;
        TerminatesByDefault = wasLaunched && terminatesByDefault;
        forks = new ForkedProcesses(state);
    }

    /// <summary>The engine's process.</summary>
    public TargetProcess Process { get; }

    /// <inheritdoc/>
    public bool WasLaunched { get; }

    /// <inheritdoc/>
    public bool TerminatesByDefault { get; }

    /// <summary>True when the client asked to see the first stop (launch: the entry point; attach: the attach stop).</summary>
    public bool StopOnEntry { get; }

    /// <summary>The last stop the client was told about (filtered stops are not), or null while running.</summary>
    public StopInfo? ReportedStop { get; private set; }

    /// <summary>True once the engine reported the end of the process.</summary>
    public bool HasEnded { get; private set; }

    /// <summary>Subscribes to the engine, announces the modules already loaded and starts forwarding program output.</summary>
    public void Start()
    {
        Process.Event += e => events.Writer.TryWrite(e);
        foreach (var module in Process.Target.Modules.ToList())
            events.Writer.TryWrite(new ModuleEvent(module, true));
        console?.Start(Process.ProcessId, state.Session.Connection.SendOutputAsync, Process.StandardOutput, Process.StandardError);
        pump = Task.Run(PumpAsync);
    }

    /// <summary>Holds engine events until the response of <paramref name="context"/>'s request has been sent.</summary>
    /// <remarks>Call before the engine call; if the handler then fails, call <see cref="ReleaseEvents"/>.</remarks>
    public async Task HoldEventsAsync(RequestContext context)
    {
        await eventGate.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        context.AfterResponse(() =>
        {
            eventGate.Release();
            return Task.CompletedTask;
        });
    }

    /// <summary>Releases a hold taken by <see cref="HoldEventsAsync"/> whose request failed.</summary>
    public void ReleaseEvents() => eventGate.Release();

    /// <summary>Runs <paramref name="action"/> with engine events held until the request's response is out.</summary>
    public async Task<T> WithEventsHeldAsync<T>(RequestContext context, Func<Task<T>> action)
    {
        await eventGate.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        T result;
        try
        {
            result = await action().ConfigureAwait(false);
        }
        catch
        {
            eventGate.Release();
            throw;
        }
        context.AfterResponse(() =>
        {
            eventGate.Release();
            return Task.CompletedTask;
        });
        return result;
    }

    /// <summary>Runs <paramref name="action"/> with engine events held until the request's response is out.</summary>
    public Task WithEventsHeldAsync(RequestContext context, Func<Task> action) =>
        WithEventsHeldAsync(context, async () =>
        {
            await action().ConfigureAwait(false);
            return true;
        });

    /// <summary>Records that a <c>threads</c> response was just sent, so that a <c>stopped</c> event keeps its distance.</summary>
    /// <remarks>
    /// VS Code's Call Stack view redraws 50 ms after a <c>threads</c> answer. When a trap lands within that time (the
    /// program trapped right after <c>configurationDone</c>, while VS Code's first <c>threads</c> request was being
    /// answered), the redraw falls between the stop handler's <c>threads</c> answer and its <c>stackTrace</c> answer: the
    /// view finds the stopped thread without frames and asks for them itself, its answer comes second and replaces the
    /// frames the stop handler had just focused, and the editor is left with frames listed, none focused and no
    /// exception widget. A stop reported at least 150 ms after the last <c>threads</c> answer lets that redraw happen
    /// while the thread still runs.
    /// </remarks>
    public void NoteThreadsAnswered() => Interlocked.Exchange(ref threadsAnsweredAt, Environment.TickCount64);

    /// <summary>Continues without a <c>continued</c> event: for the first run, whose stop the client never saw.</summary>
    public Task ContinueQuietlyAsync()
    {
        Interlocked.Increment(ref continuedToSuppress);
        return Process.ContinueAsync();
    }

    /// <inheritdoc/>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        await Process.TerminateAsync().ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DetachAsync(bool suspend, CancellationToken cancellationToken)
    {
        await Process.DetachAsync(keepStopped: suspend).ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
    }

    private async Task DrainAsync()
    {
        // Let the exited event and the program's last output go out before the session answers.
        await Task.WhenAny(pump, Task.Delay(2000)).ConfigureAwait(false);
        await forks.DisposeAsync().ConfigureAwait(false);
        await Process.DisposeAsync().ConfigureAwait(false);
        if (console is not null)
            await console.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The most text one coalesced <c>output</c> event carries.</summary>
    private const int MaxCoalescedOutput = 64 * 1024;

    private async Task PumpAsync()
    {
        await foreach (var next in events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var e = next is OutputEvent output ? Coalesce(output) : next;
            await eventGate.WaitAsync().ConfigureAwait(false);
            try
            {
                await SendAsync(e).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EngineException or InvalidOperationException or IOException)
            {
                await state.Session.Connection.SendOutputAsync(OutputCategories.Console, $"trapdbg: {ex.Message}\n").ConfigureAwait(false);
            }
            finally
            {
                eventGate.Release();
            }
            if (e is ExitedEvent)
                return;
        }
    }

    // Output of one category already queued behind this one joins it, in order.
    private OutputEvent Coalesce(OutputEvent first)
    {
        if (!events.Reader.TryPeek(out var peeked) || peeked is not OutputEvent { } o || o.Category != first.Category) return first;
        var text = new System.Text.StringBuilder(first.Text);
        while (text.Length < MaxCoalescedOutput && events.Reader.TryPeek(out var queued) && queued is OutputEvent more
               && more.Category == first.Category && events.Reader.TryRead(out _))
            text.Append(more.Text);
        return first with { Text = text.ToString() };
    }

    private async Task SendAsync(DebugEvent e)
    {
        var connection = state.Session.Connection;
        switch (e)
        {
            case StoppedEvent { Stop: var stop }:
                // A target that cannot run (a core) shows every stop: there is nothing to pass a signal on to.
                if (stop.Diagnosis is { } diagnosis && Process.ReadOnlyReason is null && !state.Filters.Stops(stop))
                {
                    // An optional stop the client turned off: hand the signal (or the panic, the throw) to the program as if no
                    // debugger were there.
                    await connection.SendOutputAsync(OutputCategories.Console,
                        $"{diagnosis.Description} — passed to the program ({ExceptionFilterNames.Of(stop)} is off)\n").ConfigureAwait(false);
                    Interlocked.Increment(ref continuedToSuppress);
                    await Process.ContinueAsync().ConfigureAwait(false);
                    return;
                }
                ReportedStop = stop;
                if (console is not null)
                    await console.DrainAsync().ConfigureAwait(false);
                long sinceThreads = Environment.TickCount64 - Interlocked.Read(ref threadsAnsweredAt);
                if (sinceThreads >= 0 && sinceThreads < ThreadsAnswerSpacing.TotalMilliseconds)
                    await Task.Delay(TimeSpan.FromMilliseconds(ThreadsAnswerSpacing.TotalMilliseconds - sinceThreads)).ConfigureAwait(false);
                await connection.SendEventAsync(EventNames.Stopped, StopTranslation.ToEventBody(stop, state), ProtocolJsonContext.Default.StoppedEventBody)
                    .ConfigureAwait(false);
                await DebugConsole.StartupCommandRunner.RunAsync(state, state.StartupCommands.Stop).ConfigureAwait(false);
                return;
            case ContinuedEvent c:
                ReportedStop = null;
                if (Interlocked.Decrement(ref continuedToSuppress) >= 0)
                    return;
                Interlocked.Exchange(ref continuedToSuppress, 0);
                await connection.SendEventAsync(EventNames.Continued, new ContinuedEventBody { ThreadId = c.ThreadId, AllThreadsContinued = true },
                    ProtocolJsonContext.Default.ContinuedEventBody).ConfigureAwait(false);
                return;
            case ThreadEvent t:
                await connection.SendEventAsync(EventNames.Thread, new ThreadEventBody { ThreadId = t.ThreadId, Reason = t.Started ? "started" : "exited" },
                    ProtocolJsonContext.Default.ThreadEventBody).ConfigureAwait(false);
                return;
            case ModuleEvent m:
                string reason;
                if (m.Loaded)
                {
                    if (!announcedModules.Add(m.Module.Id))
                        return;
                    reason = "new";
                    _ = Process.PreloadSymbolsAsync([m.Module]);
                }
                else
                {
                    announcedModules.Remove(m.Module.Id);
                    reason = "removed";
                }
                await connection.SendEventAsync(EventNames.Module, new ModuleEventBody { Reason = reason, Module = ModuleTranslation.ToEventModule(m.Module) },
                    ProtocolJsonContext.Default.ModuleEventBody).ConfigureAwait(false);
                return;
            case OutputEvent o:
                await connection.SendOutputAsync(o.Category, o.Text).ConfigureAwait(false);
                return;
            case ForkedProcessEvent f:
                forks.Watch(f);
                return;
            case FollowedChildEvent f:
                await connection.SendOutputAsync(OutputCategories.Console,
                    $"trapdbg: the program forked; following child process {f.ChildId} (process {f.ParentId} runs on without breakpoints)\n").ConfigureAwait(false);
                return;
            case BreakpointChangedEvent b:
                if (!state.ClientIdOfEngineId.ContainsKey(b.Breakpoint.Id))
                    return; // A breakpoint the client replaced meanwhile.
                await connection.SendEventAsync(EventNames.Breakpoint,
                    new BreakpointEventBody { Reason = "changed", Breakpoint = Breakpoints.BreakpointTranslation.ToDap(b.Breakpoint, state) },
                    ProtocolJsonContext.Default.BreakpointEventBody).ConfigureAwait(false);
                return;
            case ExitedEvent x:
                HasEnded = true;
                ReportedStop = null;
                if (console is not null)
                    await console.DisposeAsync().ConfigureAwait(false);
                await connection.SendOutputAsync(OutputCategories.Console, x.Description + "\n").ConfigureAwait(false);
                await connection.SendEventAsync(EventNames.Exited, new ExitedEventBody { ExitCode = x.ExitCode ?? (x.Signal is { } s ? 128 + s : 0) },
                    ProtocolJsonContext.Default.ExitedEventBody).ConfigureAwait(false);
                await state.Session.SendTerminatedAsync().ConfigureAwait(false);
                return;
        }
    }
}
