using System.Text.Json;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Reports;
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
    public static async Task<int> ReportAsync(ProgramRun run, bool json, TextWriter output, TextWriter error, bool isTerminal, bool detachOnInterrupt,
        CancellationToken interrupt = default)
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
