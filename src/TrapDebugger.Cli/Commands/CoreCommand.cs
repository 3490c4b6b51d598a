using System.CommandLine;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Reports;
using TrapDebugger.Cli.Running;
using TrapDebugger.Cli.Usage;
using TrapDebugger.Cores;
using TrapDebugger.Elf.Core;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg core CORE [--program PROGRAM] [--json]</c>: explains why the process a core file records died, with
/// the report <c>trapdbg run</c> prints for a live stop.</summary>
public static class CoreCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (documented in docs/trap-report-json.md)." };
        var program = new Option<string?>("--program")
        {
            Description = "The program the core is of, when it is not at the path the core recorded (it is used when its build-id matches the core's; libraries are also looked for in its folder).",
        };
        var core = new Argument<string>("CORE") { Description = "The core file (a kernel core, gdb's gcore, or a zstd core of systemd-coredump)." };
        var command = new Command("core", "Explain why the process a core file records stopped (trap, failed check, crash), as run does.")
        {
            core, program, json,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(core)!, parse.GetValue(program), parse.GetValue(json), Console.Out, Console.Error, Terminal.StandardOutputIsTerminal));
        return command;
    }

    /// <summary>Opens <paramref name="corePath"/>, diagnoses the stop it records and prints the report; returns trapdbg's
    /// exit status (128 + the signal the process died of, as <c>run</c> returns for the same crash).</summary>
    /// <param name="corePath">The core file.</param>
    /// <param name="program">The program file, when not at the path the core recorded.</param>
    /// <param name="json">Print JSON.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors and warnings (a missing library, a file whose build-id is not the core's) go, one sentence each.</param>
    /// <param name="isTerminal">True when <paramref name="output"/> is a terminal.</param>
    public static async Task<int> RunAsync(string corePath, string? program, bool json, TextWriter output, TextWriter error, bool isTerminal)
    {
        ArgumentNullException.ThrowIfNull(corePath);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if ((Problem(corePath, "core file") ?? (program is null ? null : Problem(program, "program"))) is { } problem)
        {
            await error.WriteLineAsync($"trapdbg core: {problem}").ConfigureAwait(false);
            return ExitStatus.Failure;
        }
        CoreTarget target;
        try
        {
            var files = new ModuleFileLocator(program, [Path.GetDirectoryName(Path.GetFullPath(corePath)) ?? "/"]);
            target = CoreTarget.Open(corePath, files);
        }
        catch (Exception e) when (e is CoreFormatException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"trapdbg core: {Sentence(e.Message)}").ConfigureAwait(false);
            return ExitStatus.Failure;
        }
        TargetProcess process;
        try
        {
            process = await TargetProcess.OpenAsync(target).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            await target.DisposeAsync().ConfigureAwait(false);
            await error.WriteLineAsync($"trapdbg core: {Sentence(e.Message)}").ConfigureAwait(false);
            return ExitStatus.DebuggerFailure;
        }
        await using (process.ConfigureAwait(false))
        {
            var stop = process.LastStop ?? new StopInfo(target.ThreadIds[0], StopCause.Pause, "stopped", [], null, 0);
            StopReport report;
            try
            {
                report = await StopReportBuilder.BuildAsync(process, stop).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                await error.WriteLineAsync($"trapdbg core: {Sentence(e.Message)}").ConfigureAwait(false);
                return ExitStatus.DebuggerFailure;
            }
            report.Core = Path.GetFullPath(corePath);
            report.Program ??= target.ExecutablePath;
            int? signal = target.Signal?.Signal;
            report.End = new ProgramEnd { How = "dumped", Signal = signal, Status = signal is { } s ? ExitStatus.OfSignal(s) : ExitStatus.Success };
            foreach (var warning in target.Warnings)
                await error.WriteLineAsync($"trapdbg core: {warning}").ConfigureAwait(false);
            ReportSession.Print(report, json, output, isTerminal);
            return report.End.Status;
        }
    }

    private static string? Problem(string path, string what) =>
        Directory.Exists(path) ? $"'{path}' is a directory, not a {what}."
        : !File.Exists(path) ? $"the {what} '{path}' does not exist."
        : null;

    private static string Sentence(string message) => message.TrimEnd().EndsWith('.') ? message.TrimEnd() : message.TrimEnd() + ".";
}
