using System.CommandLine;
using System.Globalization;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Running;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg attach PID [--json]</c>: waits until a running process stops on a trap, a fault or a fatal signal and
/// explains why; Ctrl-C (SIGINT) or SIGTERM detaches and leaves the process running.</summary>
public static class AttachCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (documented in docs/trap-report-json.md)." };
        var pid = new Argument<string>("PID") { Description = "The id of the process to attach to." };
        var coreDir = RunCommand.CoreDirectoryOption();
        var command = new Command("attach", "Attach to a running process, wait until it traps or crashes, and explain why (Ctrl-C detaches).")
        {
            pid, json, coreDir,
        };
        var forks = new ForkSettings.Options();
        forks.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
            AttachAsync(parse.GetValue(pid)!, parse.GetValue(json), Console.Out, Console.Error, Terminal.StandardOutputIsTerminal, cancellationToken,
                parse.GetValue(coreDir), forks.From(parse)));
        return command;
    }

    /// <summary>Attaches to <paramref name="pidText"/>, waits for a reportable stop, prints the report; returns trapdbg's exit status.</summary>
    /// <param name="pidText">The process id as typed.</param>
    /// <param name="json">Print JSON.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors and progress messages go.</param>
    /// <param name="isTerminal">True when <paramref name="output"/> is a terminal.</param>
    /// <param name="cancellationToken">Cancelled on Ctrl-C: the debugger detaches and leaves the process running.</param>
    /// <param name="coreDirectory">Where a core of the process is written when it stops for a crash; null writes none.</param>
    /// <param name="forks">What to do when the process forks (default: follow the parent, watch the children for a crash).</param>
    public static async Task<int> AttachAsync(string pidText, bool json, TextWriter output, TextWriter error, bool isTerminal,
        CancellationToken cancellationToken = default, string? coreDirectory = null, ForkSettings? forks = null)
    {
        ArgumentNullException.ThrowIfNull(pidText);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (coreDirectory is not null && ReportSession.PrepareCoreDirectory(coreDirectory) is { } unusable)
        {
            await error.WriteLineAsync($"trapdbg attach: {unusable}").ConfigureAwait(false);
            return Usage.ExitStatus.Failure;
        }
        if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            await error.WriteLineAsync($"trapdbg attach: '{pidText}' is not a process id (a positive number).").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        if (await LocalPlatform.Instance.FindProcessAsync(pid, cancellationToken).ConfigureAwait(false) is null)
        {
            await error.WriteLineAsync($"trapdbg attach: there is no process with id {pid}.").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        if (pid == Environment.ProcessId)
        {
            await error.WriteLineAsync("trapdbg attach: the debugger cannot attach to itself.").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        TargetProcess process;
        try
        {
            process = await TargetProcess.AttachAsync(Platforms.Local(), pid, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            await error.WriteLineAsync($"trapdbg attach: {e.Message}").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("trapdbg attach: interrupted while attaching.").ConfigureAwait(false);
            return 128 + 2;
        }
        await using var run = ProgramRun.Of(process, attached: true, forks);
        await error.WriteLineAsync($"Attached to process {pid} ({process.ProgramPath ?? "unknown program"}); waiting for it to stop (Ctrl-C detaches).").ConfigureAwait(false);
        return await ReportSession.ReportAsync(run, json, output, error, isTerminal, detachOnInterrupt: true, cancellationToken, coreDirectory).ConfigureAwait(false);
    }
}
