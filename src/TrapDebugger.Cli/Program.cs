using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using TrapDebugger.Cli.Usage;

namespace TrapDebugger.Cli;

/// <summary>The <c>trapdbg</c> command line: one subcommand per user task.</summary>
public static class Program
{
    /// <summary>How long a command may take to stop after Ctrl-C or SIGTERM before trapdbg ends anyway.</summary>
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(2);

    /// <summary>The subcommands, in the order help lists them; a new command is one more line here.</summary>
    private static readonly Func<Command>[] Subcommands =
    [
        Commands.DapCommand.Create,
        Commands.LookupCommand.Create,
        Commands.SymbolsCommand.Create,
        Commands.RunCommand.Create,
        Commands.AttachCommand.Create,
        Commands.CoreCommand.Create,
        Commands.TrapsCommand.Create,
        Commands.AgentCommand.Create,
        Commands.PsCommand.Create,
        Commands.GuardianCommand.Create,
    ];

    public static int Main(string[] args)
    {
        Rendering.TerminalWriters.Install();
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>The root command: every subcommand, <c>--version</c>, and help that ends with the exit statuses.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("TrapDebugger: tells you why a native Linux x86-64 program stopped and which check fired.");
        foreach (var create in Subcommands) root.Subcommands.Add(create());
        ExitStatusHelp.AddTo(root);
        return root;
    }

    /// <summary>Parses and runs one command line; returns trapdbg's exit status.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="output">Where help and the version go (the commands themselves write to the console).</param>
    /// <param name="error">Where command-line mistakes go.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var parse = CreateRootCommand().Parse(args);
        // System.CommandLine's own Ctrl-C handling subscribes Console.CancelKeyPress, and .NET then switches the terminal
        // into keypad-transmit mode (it writes ESC [?1h ESC = before any output): Interruption below does the same job
        // with plain signal handlers, so trapdbg writes no terminal control sequence of its own.
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        if (parse.Errors.Count > 0)
        {
            // The mistake and where to read more, not the whole help (which would push the mistake off the screen).
            if (parse.Action is ParseErrorAction mistake) mistake.ShowHelp = false;
            parse.Invoke(configuration);
            error.WriteLine($"See '{CommandPath(parse.CommandResult)} --help'.");
            return ExitStatus.Usage;
        }
        // A synchronous command (symbols, lookup, traps) has nothing to stop cleanly: Ctrl-C ends it as it ends any program.
        if (parse.Action is not AsynchronousCommandLineAction) return parse.Invoke(configuration);
        using var interruption = new Interruption(InterruptGrace);
        var command = parse.InvokeAsync(configuration, interruption.Token);
        var first = Task.WhenAny(command, interruption.GraceExpired).GetAwaiter().GetResult();
        return first == command ? command.GetAwaiter().GetResult() : ExitStatus.OfSignal(interruption.Signal);
    }

    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)} {command.Command.Name}" : "trapdbg";

    /// <summary>SIGINT or SIGTERM cancels the command's token (run kills its program after the report, attach detaches);
    /// if the command has not finished <c>grace</c> later, or the signal comes again, trapdbg ends.</summary>
    private sealed class Interruption : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly TaskCompletionSource _graceExpired = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly PosixSignalRegistration[] _registrations;
        private readonly TimeSpan _grace;
        private int _signal;

        public Interruption(TimeSpan grace)
        {
            _grace = grace;
            _registrations = [Register(PosixSignal.SIGINT, Targets.Signals.SIGINT), Register(PosixSignal.SIGTERM, Targets.Signals.SIGTERM)];
        }

        public CancellationToken Token => _cancel.Token;

        public Task GraceExpired => _graceExpired.Task;

        public int Signal => _signal;

        private PosixSignalRegistration Register(PosixSignal signal, int number) => PosixSignalRegistration.Create(signal, context =>
        {
            // The second signal keeps its default action: the user insists.
            if (Interlocked.CompareExchange(ref _signal, number, 0) != 0) return;
            context.Cancel = true;
            _cancel.Cancel();
            _ = Task.Delay(_grace).ContinueWith(_ => _graceExpired.TrySetResult(), TaskScheduler.Default);
        });

        public void Dispose()
        {
            foreach (var registration in _registrations) registration.Dispose();
            _cancel.Dispose();
        }
    }
}
