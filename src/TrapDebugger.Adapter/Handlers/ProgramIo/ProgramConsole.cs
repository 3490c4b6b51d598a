using TrapDebugger.Adapter.Session;
using TrapDebugger.Native.Launch;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.ProgramIo;

/// <summary>Where a launched program's stdin, stdout and stderr go, as <c>console</c> and <c>stdio</c> ask: files, a
/// terminal the client opens (<c>runInTerminal</c>), or the Debug Console through pseudo-terminals.</summary>
/// <remarks>
/// In the Debug Console the program's stdout and stderr are two pseudo-terminals, so the program sees a terminal and
/// line-buffers (a pipe would make its C library hold output until exit, and lose it in a crash), and stdout and
/// stderr keep their categories; stdin is empty, since the Debug Console has no way to type into a program.
/// The adapter's own stdin and stdout carry DAP on stdio, so the program never inherits them.
/// </remarks>
public sealed class ProgramConsole : IAsyncDisposable
{
    private static readonly string[] StreamNames = ["stdin", "stdout", "stderr"];

    private readonly ProgramOutput? output;
    private readonly TerminalAgent? terminal;
    private readonly string?[] paths;
    private readonly StdioMode[] modes;
    private int disposed;

    private ProgramConsole(StdioMode[] modes, string?[] paths, ProgramOutput? output, TerminalAgent? terminal)
    {
        this.modes = modes;
        this.paths = paths;
        this.output = output;
        this.terminal = terminal;
    }

    /// <summary>The terminal's <c>TERM</c> when the program runs in the client's terminal; null otherwise.</summary>
    public string? TerminalType => terminal?.Term;

    /// <summary>Sets up the streams for <paramref name="options"/>: opens the pseudo-terminals, or has the client open a terminal.</summary>
    /// <exception cref="RequestFailedException">The terminal or a pseudo-terminal cannot be had; the message says why.</exception>
    public static async Task<ProgramConsole> OpenAsync(RequestContext context, DebuggeeOptions options)
    {
        var kind = options.Console;
        bool needsConsole = options.Stdio.Any(p => p is null);
        if (kind != ConsoleKind.InternalConsole && needsConsole && context.Session.Client?.SupportsRunInTerminalRequest != true)
        {
            await context.Connection.SendOutputAsync(OutputCategories.Console,
                $"trapdbg: this client cannot open a terminal (it does not support 'runInTerminal'); the program's output goes to the Debug Console.\n").ConfigureAwait(false);
            kind = ConsoleKind.InternalConsole;
        }

        var modes = new StdioMode[3];
        var paths = new string?[3];
        for (int i = 0; i < 3; i++)
        {
            if (options.Stdio[i] is { } file)
            {
                modes[i] = StdioMode.File;
                paths[i] = file;
            }
        }
        if (!needsConsole)
            return new ProgramConsole(modes, paths, null, null);

        if (kind == ConsoleKind.InternalConsole)
        {
            var terminals = new List<(PseudoTerminal, string)>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    if (modes[i] == StdioMode.File)
                        continue;
                    if (i == 0)
                    {
                        modes[i] = StdioMode.Null;
                        continue;
                    }
                    var pty = PseudoTerminal.Open();
                    terminals.Add((pty, i == 1 ? OutputCategories.Stdout : OutputCategories.Stderr));
                    modes[i] = StdioMode.File;
                    paths[i] = pty.SlavePath;
                }
            }
            catch (Native.Errors.LaunchFailedException e)
            {
                foreach (var (pty, _) in terminals)
                    pty.Dispose();
                throw new RequestFailedException($"launch: {e.Message}.", e);
            }
            return new ProgramConsole(modes, paths, ProgramOutput.From(terminals), null);
        }

        var program = options.Program!;
        var agent = await TerminalAgent.StartAsync(context, kind == ConsoleKind.ExternalTerminal ? TerminalKinds.External : TerminalKinds.Integrated,
            $"TrapDebugger: {Path.GetFileName(program)}", options.Cwd ?? Path.GetDirectoryName(program) ?? "/").ConfigureAwait(false);
        for (int i = 0; i < 3; i++)
        {
            if (modes[i] == StdioMode.File)
                continue;
            modes[i] = StdioMode.File;
            paths[i] = agent.Device;
        }
        return new ProgramConsole(modes, paths, null, agent);
    }

    /// <summary>The launch options with the program's streams pointed where this console says.</summary>
    public LaunchOptions Apply(LaunchOptions launch) => launch with
    {
        StandardInput = modes[0],
        StandardOutput = modes[1],
        StandardError = modes[2],
        StandardInputPath = paths[0],
        StandardOutputPath = paths[1],
        StandardErrorPath = paths[2],
    };

    /// <summary>The streams <c>stdio</c> sends to files, in words for the Debug Console ("stdout: /tmp/out.txt").</summary>
    public static IEnumerable<string> Redirections(DebuggeeOptions options) =>
        Enumerable.Range(0, 3).Where(i => options.Stdio[i] is not null).Select(i => $"{StreamNames[i]}: {options.Stdio[i]}");

    /// <summary>Starts streaming the program's output; <paramref name="send"/> gets (category, text).</summary>
    public void Start(int programId, Func<string, string, Task> send)
    {
        output?.Start(send);
        terminal?.Announce(programId);
    }

    /// <summary>Sends the output written so far (call while the program is stopped or gone).</summary>
    public Task DrainAsync() => output?.DrainAsync() ?? Task.CompletedTask;

    /// <summary>Sends the last output, closes the pseudo-terminals and gives the client's terminal back.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        if (output is not null)
            await output.DisposeAsync().ConfigureAwait(false);
        terminal?.Dispose();
    }
}
