using System.CommandLine;
using System.Globalization;
using TrapDebugger.Cli.Remote;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Running;
using TrapDebugger.Engine.Process;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg attach PID [--json]</c> or <c>trapdbg attach --wait-for PROGRAM</c>: waits until a running process
/// stops on a trap, a fault or a fatal signal and explains why; Ctrl-C (SIGINT) or SIGTERM detaches and leaves the process
/// running.</summary>
public static class AttachCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (documented in docs/trap-report-json.md)." };
        var pid = new Argument<string?>("PID") { Description = "The id of the process to attach to.", Arity = ArgumentArity.ZeroOrOne };
        var waitFor = new Option<string?>("--wait-for") { Description = "Instead of a PID: wait until a process running PROGRAM (a path, or a file name) starts, and attach to it." };
        var remote = new Option<string?>("--remote") { Description = RemoteConnector.OptionDescription };
        var coreDir = RunCommand.CoreDirectoryOption();
        var command = new Command("attach", "Attach to a running process, wait until it traps or crashes, and explain why (Ctrl-C detaches).")
        {
            pid, waitFor, json, coreDir, remote,
        };
        var forks = new ForkSettings.Options();
        forks.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
            AttachAsync(parse.GetValue(pid), parse.GetValue(json), Console.Out, Console.Error, Terminal.StandardOutputIsTerminal, cancellationToken,
                parse.GetValue(coreDir), parse.GetValue(remote), parse.GetValue(waitFor), forks.From(parse)));
        return command;
    }

    /// <summary>Attaches to <paramref name="pidText"/> (or to the next process running <paramref name="waitFor"/>), waits for
    /// a reportable stop, prints the report; returns trapdbg's exit status.</summary>
    /// <param name="pidText">The process id as typed, or null with <paramref name="waitFor"/>.</param>
    /// <param name="json">Print JSON.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors and progress messages go.</param>
    /// <param name="isTerminal">True when <paramref name="output"/> is a terminal.</param>
    /// <param name="cancellationToken">Cancelled on Ctrl-C: the debugger detaches and leaves the process running.</param>
    /// <param name="coreDirectory">Where a core of the process is written when it stops for a crash; null writes none.</param>
    /// <param name="remoteCommand">A command that starts the agent where the process runs, or null for this machine.</param>
    /// <param name="waitFor">A program to wait for instead of a pid: a path, or a file name matched against any directory.</param>
    /// <param name="forks">What to do when the process forks (default: follow the parent, watch the children for a crash).</param>
    public static async Task<int> AttachAsync(string? pidText, bool json, TextWriter output, TextWriter error, bool isTerminal,
        CancellationToken cancellationToken = default, string? coreDirectory = null, string? remoteCommand = null, string? waitFor = null,
        ForkSettings? forks = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (coreDirectory is not null && ReportSession.PrepareCoreDirectory(coreDirectory) is { } unusable)
        {
            await error.WriteLineAsync($"trapdbg attach: {unusable}").ConfigureAwait(false);
            return Usage.ExitStatus.Failure;
        }
        int pid = 0;
        if ((pidText is null) == string.IsNullOrWhiteSpace(waitFor))
        {
            await error.WriteLineAsync("trapdbg attach: give a PID or --wait-for PROGRAM (one of them).").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        if (pidText is not null && (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid <= 0))
        {
            await error.WriteLineAsync($"trapdbg attach: '{pidText}' is not a process id (a positive number).").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        if (remoteCommand is null && pid == Environment.ProcessId)
        {
            await error.WriteLineAsync("trapdbg attach: the debugger cannot attach to itself.").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        TargetProcess process;
        ITargetPlatform? platform = null;
        try
        {
            platform = await RemoteConnector.ConnectAsync(remoteCommand, cancellationToken).ConfigureAwait(false);
            if (waitFor is not null)
            {
                var where = RemoteConnector.Where(platform);
                pid = await platform.WaitForProcessAsync(waitFor,
                    () => error.WriteLine($"Waiting for a process running '{waitFor}' to start{where} (Ctrl-C stops waiting)."), cancellationToken).ConfigureAwait(false);
            }
            else if (await platform.FindProcessAsync(pid, cancellationToken).ConfigureAwait(false) is null)
            {
                await RemoteConnector.ReleaseAsync(platform).ConfigureAwait(false);
                await error.WriteLineAsync($"trapdbg attach: there is no process with id {pid}{RemoteConnector.Where(platform)}.").ConfigureAwait(false);
                return ReportSession.DebuggerFailure;
            }
            process = await TargetProcess.AttachAsync(platform, pid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EngineException or TargetException)
        {
            if (platform is not null)
                await RemoteConnector.ReleaseAsync(platform).ConfigureAwait(false);
            await error.WriteLineAsync($"trapdbg attach: {e.Message}").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        catch (OperationCanceledException)
        {
            if (platform is not null)
                await RemoteConnector.ReleaseAsync(platform).ConfigureAwait(false);
            await error.WriteLineAsync($"trapdbg attach: interrupted while {(pid == 0 ? "waiting for the program" : "attaching")}.").ConfigureAwait(false);
            return 128 + 2;
        }
        await using var run = ProgramRun.Of(process, attached: true, forks);
        await error.WriteLineAsync($"Attached to process {pid} ({process.ProgramPath ?? "unknown program"}); waiting for it to stop (Ctrl-C detaches).").ConfigureAwait(false);
        return await ReportSession.ReportAsync(run, json, output, error, isTerminal, detachOnInterrupt: true, cancellationToken, coreDirectory).ConfigureAwait(false);
    }
}
