using System.CommandLine;
using TrapDebugger.Cli.Rendering;
using TrapDebugger.Cli.Running;
using TrapDebugger.Engine.Process;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg run [--json] -- PROGRAM ARGS…</c>: runs a program under the debugger and, when it stops on a trap,
/// a fault or a fatal signal, explains why; then kills it and exits with the status it would have died with.</summary>
public static class RunCommand
{
    /// <summary>The exit status when the program cannot be found (as a shell's).</summary>
    public const int NotFound = Usage.ExitStatus.NotFound;

    /// <summary>The exit status when the program cannot be run (not an ELF executable).</summary>
    public const int CannotExecute = Usage.ExitStatus.CannotExecute;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (documented in docs/trap-report-json.md); the program's output goes to stderr." };
        var program = new Argument<string[]>("PROGRAM")
        {
            Description = "The program and its arguments (put them after --).",
            Arity = ArgumentArity.OneOrMore,
        };
        var remote = new Option<string?>("--remote") { Description = Remote.RemoteConnector.OptionDescription };
        var coreDir = CoreDirectoryOption();
        var command = new Command("run", "Run a program under the debugger and explain why it stopped (trap, failed check, crash).")
        {
            json, coreDir, remote, program,
        };
        var forks = new ForkSettings.Options();
        forks.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var argv = parse.GetValue(program) ?? [];
            return RunAsync(argv[0], argv[1..], parse.GetValue(json), Console.Out, Console.Error, Terminal.StandardOutputIsTerminal, cancellationToken,
                parse.GetValue(coreDir), parse.GetValue(remote), forks.From(parse));
        });
        return command;
    }

    /// <summary>Runs <paramref name="program"/> to its first reportable stop or its end and prints the report; returns trapdbg's exit status.</summary>
    /// <param name="program">A path, or a name looked up on PATH.</param>
    /// <param name="arguments">The program's arguments.</param>
    /// <param name="json">Print JSON; the program's stdout and stderr are then copied to <paramref name="error"/>.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors (and with <paramref name="json"/>, the program's output) go.</param>
    /// <param name="isTerminal">True when <paramref name="output"/> is a terminal.</param>
    /// <param name="cancellationToken">Cancelled on Ctrl-C: the program is stopped, reported and killed.</param>
    /// <param name="coreDirectory">Where a core of the process is written when it stops for a crash; null writes none.</param>
    /// <param name="remoteCommand">A command that starts the agent where the program is to run, or null for this machine.</param>
    /// <param name="forks">What to do when the program forks (default: follow the parent, watch the children for a crash).</param>
    public static async Task<int> RunAsync(string program, IReadOnlyList<string> arguments, bool json, TextWriter output, TextWriter error,
        bool isTerminal, CancellationToken cancellationToken = default, string? coreDirectory = null, string? remoteCommand = null,
        ForkSettings? forks = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (coreDirectory is not null && ReportSession.PrepareCoreDirectory(coreDirectory) is { } unusable)
        {
            await error.WriteLineAsync($"trapdbg run: {unusable}").ConfigureAwait(false);
            return Usage.ExitStatus.Failure;
        }
        string path = program;
        if (remoteCommand is null)
        {
            var check = ProgramFile.Check(program);
            if (check.Error is { } problem)
            {
                await error.WriteLineAsync($"trapdbg run: {problem}").ConfigureAwait(false);
                return check.NotFound ? NotFound : CannotExecute;
            }
            path = check.Path!;
        }
        // The program's output stays the terminal's own unless stdout must carry nothing but the JSON document; a remote
        // program's output can only travel through the agent.
        var mode = json || remoteCommand is not null ? StdioMode.Pipe : StdioMode.Inherit;
        TargetProcess process;
        ITargetPlatform? platform = null;
        try
        {
            platform = await Remote.RemoteConnector.ConnectAsync(remoteCommand, cancellationToken).ConfigureAwait(false);
            process = await TargetProcess.LaunchAsync(platform, new LaunchOptions
            {
                Program = path,
                Arguments = [.. arguments],
                StandardOutput = mode,
                StandardError = mode,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EngineException or TargetException)
        {
            if (platform is not null)
                await Remote.RemoteConnector.ReleaseAsync(platform).ConfigureAwait(false);
            await error.WriteLineAsync($"trapdbg run: {e.Message}").ConfigureAwait(false);
            return ReportSession.DebuggerFailure;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("trapdbg run: interrupted while starting the program.").ConfigureAwait(false);
            return 128 + 2;
        }
        await using var run = ProgramRun.Of(process, attached: false, forks);
        var copies = new List<Task>();
        if (process.StandardOutput is { } stdout) copies.Add(CopyAsync(stdout, json ? error : output));
        if (process.StandardError is { } stderr) copies.Add(CopyAsync(stderr, error));
        var status = await ReportSession.ReportAsync(run, json, new DeferredWriter(output, copies), error, isTerminal, detachOnInterrupt: false, cancellationToken,
            coreDirectory).ConfigureAwait(false);
        return status;
    }

    /// <summary>The <c>--core-dir</c> option that run and attach share.</summary>
    internal static Option<string?> CoreDirectoryOption() => new("--core-dir")
    {
        Description = "Write a core file of the process into this directory (created if missing) when it stops for a crash, as core.PROGRAM.PID; trapdbg core reads it.",
    };

    private static async Task CopyAsync(Stream from, TextWriter to)
    {
        var buffer = new byte[8192];
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                var count = decoder.GetChars(buffer, 0, n, chars, 0);
                lock (to) to.Write(chars, 0, count);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe closed with the process.
        }
        lock (to) to.Flush();
    }

    /// <summary>Lets the program's last output (copied from its pipes) reach stderr before the report is written.</summary>
    private sealed class DeferredWriter(TextWriter inner, List<Task> copies) : TextWriter
    {
        private bool _waited;

        public override System.Text.Encoding Encoding => inner.Encoding;

        private void Wait()
        {
            if (_waited) return;
            _waited = true;
            // The pipes reach end of file once the process is gone; bound the wait in case a grandchild keeps them open.
            Task.WaitAll([.. copies], TimeSpan.FromSeconds(2));
        }

        public override void Write(char value)
        {
            Wait();
            inner.Write(value);
        }

        public override void Write(string? value)
        {
            Wait();
            inner.Write(value);
        }

        public override void WriteLine(string? value)
        {
            Wait();
            inner.WriteLine(value);
        }

        public override void Flush() => inner.Flush();
    }
}
