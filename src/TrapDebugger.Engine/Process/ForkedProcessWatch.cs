using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;

namespace TrapDebugger.Engine.Process;

/// <summary>How a watched forked process ended: it exited, died of a signal (the crash, stopped and diagnosed first), was
/// let go as it executed another program, or was let go because the session ended.</summary>
public enum ForkedProcessEndKind
{
    /// <summary>It exited with <see cref="ForkedProcessEnd.ExitCode"/>.</summary>
    Exited,
    /// <summary>It died of a signal it did not handle: <see cref="ForkedProcessEnd.Crash"/> is that stop, diagnosed.</summary>
    Crashed,
    /// <summary>It was killed by a signal the debugger never saw delivered (SIGKILL).</summary>
    Killed,
    /// <summary>It was let go as it called execve: another program is not this program's business.</summary>
    Executed,
    /// <summary>It was let go because the debugger stopped watching (the session ended).</summary>
    Released,
}

/// <summary>The end of a watched forked process, worded once for the CLI and the adapter.</summary>
/// <param name="ProcessId">The process.</param>
/// <param name="Kind">How it ended.</param>
/// <param name="ExitCode">Its exit status, for <see cref="ForkedProcessEndKind.Exited"/>.</param>
/// <param name="Signal">The signal it died of, for <see cref="ForkedProcessEndKind.Crashed"/> and <see cref="ForkedProcessEndKind.Killed"/>.</param>
/// <param name="Crash">The diagnosed stop at the signal, for <see cref="ForkedProcessEndKind.Crashed"/>.</param>
/// <param name="Description">One sentence: "child process 1234 exited with status 0".</param>
public sealed record ForkedProcessEnd(int ProcessId, ForkedProcessEndKind Kind, int? ExitCode, int? Signal, StopInfo? Crash, string Description);

/// <summary>Runs a process the program forked while the user debugs only the other one (detach-on-fork): without
/// breakpoints, passing it every signal it handles or ignores, until it exits, dies of a signal, or executes another
/// program.</summary>
/// <remarks>A signal it would die of stops it first, so that the crash is diagnosed as any stop (<c>onCrash</c> runs while
/// it is stopped); it is then let go with that signal and dies of it as it would have. A call of execve stops it at the
/// function (a breakpoint on the C library's execve, execveat and fexecve) and lets it go before the system call: traced
/// through an exec, a set-user-ID program would run without its privileges.</remarks>
public static class ForkedProcessWatch
{
    private static readonly string[] ExecFunctions = ["execve", "execveat", "fexecve"];

    /// <summary>Watches <paramref name="process"/> (stopped at its first stop) to its end, and disposes it.</summary>
    /// <param name="process">The forked process of a <see cref="ForkedProcessEvent"/>.</param>
    /// <param name="onCrash">Runs at a fatal signal while the process is stopped (build a report, read its stack).</param>
    /// <param name="cancellationToken">Cancelled when the debugger stops watching: the process is let go.</param>
    public static async Task<ForkedProcessEnd> RunAsync(TargetProcess process, Func<StopInfo, Task>? onCrash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(process);
        var pid = process.ProcessId;
        var events = System.Threading.Channels.Channel.CreateUnbounded<DebugEvent>();
        process.Event += e => events.Writer.TryWrite(e);
        try
        {
            var exec = process.Target.Modules.SelectMany(m => ExecFunctions.SelectMany(m.ExportedFunctionAddresses)).Distinct()
                .Select(a => new InstructionBreakpointSpec(a)).ToList();
            await process.SetInstructionBreakpointsAsync(exec).ConfigureAwait(false);
            await process.ContinueAsync().ConfigureAwait(false);
            while (true)
            {
                var e = await events.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                switch (e)
                {
                    case ExitedEvent { ExitCode: { } code }:
                        return new ForkedProcessEnd(pid, ForkedProcessEndKind.Exited, code, null, null, $"child process {pid} exited with status {code}");
                    case ExitedEvent { Signal: { } killedBy }:
                        return new ForkedProcessEnd(pid, ForkedProcessEndKind.Killed, null, killedBy, null, $"child process {pid} was killed by {Signals.Name(killedBy)}");
                    case ExitedEvent:
                        return Released(pid);
                    case StoppedEvent { Stop.Cause: StopCause.InstructionBreakpoint }:
                        await process.DetachAsync().ConfigureAwait(false);
                        return new ForkedProcessEnd(pid, ForkedProcessEndKind.Executed, null, null, null,
                            $"child process {pid} called execve and was let go to run the new program");
                    case StoppedEvent { Stop: { Cause: StopCause.Exception, Fate: SignalFate.Fatal } stop }:
                        if (onCrash is not null) await onCrash(stop).ConfigureAwait(false);
                        var signal = stop.Diagnosis?.Signal ?? 0;
                        // Let go with the signal it stopped with, it dies of it, and its parent sees that end.
                        await process.DetachAsync().ConfigureAwait(false);
                        return new ForkedProcessEnd(pid, ForkedProcessEndKind.Crashed, null, signal, stop,
                            $"child process {pid} was killed by {Signals.Name(signal)}: {stop.Description}");
                    case StoppedEvent:
                        // A signal it handles or ignores, or a stop of no interest: it goes on.
                        await process.ContinueAsync().ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return Released(pid);
        }
        catch (EngineException) when (process.HasExited)
        {
            return Released(pid);
        }
        finally
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ForkedProcessEnd Released(int pid) =>
        new(pid, ForkedProcessEndKind.Released, null, null, null, $"child process {pid} was let go");
}
