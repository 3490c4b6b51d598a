using System.Text.Json;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Reports;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;

namespace TrapDebugger.Cli.Running;

/// <summary>What <c>run</c> and <c>attach</c> share: run the process to its first reportable stop, build and print the report,
/// then end the process (or detach from it), and return trapdbg's exit status.</summary>
public static class ReportSession
{
    /// <summary>trapdbg's exit status when the debugger itself fails (as <c>env</c> and <c>timeout</c> use 125).</summary>
    public const int DebuggerFailure = Usage.ExitStatus.DebuggerFailure;

    /// <summary>Drives <paramref name="run"/> and prints its report as text or JSON to <paramref name="output"/>.</summary>
    /// <param name="run">A launched or attached process, stopped.</param>
    /// <param name="json">Print the JSON document instead of text.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where the debugger's own messages go.</param>
    /// <param name="isTerminal">True when <paramref name="output"/> is a terminal (colour).</param>
    /// <param name="detachOnInterrupt">Attach mode: on SIGINT/SIGTERM leave the process running.</param>
    /// <param name="interrupt">Cancelled when the user asks the debugger to stop (the command line's Ctrl-C token): same as SIGINT.</param>
    /// <param name="coreDirectory">When set, a core of the process is written there when it stops for a crash (a signal it
    /// would die of), before it is killed.</param>
    public static async Task<int> ReportAsync(ProgramRun run, bool json, TextWriter output, TextWriter error, bool isTerminal, bool detachOnInterrupt,
        CancellationToken interrupt = default, string? coreDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        StopReport? report = null;
        try
        {
            using (run.HandleTerminalSignals())
            using (interrupt.Register(() => run.Interrupt(2)))
            {
                var end = await run.RunToStopAsync(error, async (process, stop) =>
                {
                    report = await StopReportBuilder.BuildAsync(process, stop).ConfigureAwait(false);
                    // A program that found a debugger often stops itself on purpose (abort): say so with the stop.
                    var check = process.DescribeDebuggerCheck();
                    if (coreDirectory is not null && stop.Fate == SignalFate.Fatal)
                        report.Core = await SaveCoreAsync(process, coreDirectory, error).ConfigureAwait(false);
                    if (process == run.Process)
                    {
                        report.End = await run.KillAfterStopAsync(stop).ConfigureAwait(false);
                    }
                    else
                    {
                        report.ForkedFrom = run.ParentOf(process);
                        report.End = await ProgramRun.EndOfForkedAsync(process, stop).ConfigureAwait(false);
                    }
                    report.End.DebuggerCheck = check;
                }).ConfigureAwait(false);
                if (report is null)
                {
                    report = new StopReport { Program = run.Process.ProgramPath, ProcessId = run.Process.ProcessId };
                    report.End = end ?? (detachOnInterrupt ? await run.DetachAsync().ConfigureAwait(false) : new ProgramEnd { How = "detached" });
                }
            }
        }
        catch (EngineException e)
        {
            await error.WriteLineAsync($"trapdbg: {e.Message}").ConfigureAwait(false);
            return DebuggerFailure;
        }
        Print(report, json, output, isTerminal);
        return report.End.Status;
    }

    /// <summary>Writes a core of the stopped <paramref name="process"/> into <paramref name="directory"/> as
    /// <c>core.PROGRAM.PID</c> and says so on <paramref name="error"/>; returns its path, or null (with the reason) when it
    /// could not be written.</summary>
    public static async Task<string?> SaveCoreAsync(TargetProcess process, string directory, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(error);
        var name = Path.GetFileName(process.ProgramPath) is { Length: > 0 } n ? n : "process";
        var path = Path.Combine(Path.GetFullPath(directory), $"core.{name}.{process.ProcessId}");
        try
        {
            var written = await process.SaveCoreAsync(path).ConfigureAwait(false);
            await error.WriteLineAsync($"trapdbg: wrote the core {path} ({written.Threads} threads, {Mebibytes(written.IncludedBytes)} of memory; " +
                $"{Mebibytes(written.OmittedBytes)} of unchanged file pages left to the files).").ConfigureAwait(false);
            return path;
        }
        catch (EngineException e)
        {
            await error.WriteLineAsync($"trapdbg: {e.Message.TrimEnd('.')}.").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Makes sure cores can be written into <paramref name="directory"/> (created when missing); returns why not as
    /// one sentence, or null.</summary>
    public static string? PrepareCoreDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (File.Exists(directory)) return $"the core directory '{directory}' is a file, not a directory.";
        try
        {
            Directory.CreateDirectory(directory);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"the core directory '{directory}' cannot be created ({e.Message.TrimEnd('.')}).";
        }
    }

    private static string Mebibytes(ulong bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Writes <paramref name="report"/> as JSON or as text.</summary>
    public static void Print(StopReport report, bool json, TextWriter output, bool isTerminal)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, ReportJsonContext.Default.StopReport));
        }
        else
        {
            StopReportRenderer.Render(Terminal.Create(output, isTerminal), report);
        }
        output.Flush();
    }
}
