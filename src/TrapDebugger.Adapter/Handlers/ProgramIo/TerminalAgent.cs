using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.ProgramIo;

/// <summary>A small shell the client runs in its terminal (DAP <c>runInTerminal</c>) so that a launched program can use
/// that terminal for its stdin, stdout and stderr.</summary>
/// <remarks>
/// The adapter still starts the program itself, as its own child, so launching under the tracer works as ever and no
/// permission to trace a process the terminal started is needed (Yama's ptrace_scope 1 allows only descendants). The
/// shell reports its terminal device and <c>TERM</c> through a file in a private directory, then waits in the
/// foreground without reading the terminal, so everything typed there goes to the program. Ctrl-C typed in the terminal
/// reaches the shell (the terminal's foreground process), which sends SIGINT on to the program: the debugger shows
/// the interrupt as a stop, as gdb does. The shell ends when the directory is removed or the adapter is gone.
/// </remarks>
public sealed class TerminalAgent : IDisposable
{
    /// <summary>How long the client may take to start the shell and the shell to report its terminal.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private const string Script = """
        # TrapDebugger: this terminal is the program's stdin, stdout and stderr while it is debugged.
        d=$(dirname "$0")
        t=$(tty 2>/dev/null) || t=
        printf '%s\n%s\n' "$t" "${TERM-}" > "$d/tty.new" && mv "$d/tty.new" "$d/tty"
        pid=
        trap '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null' INT
        while [ -d "$d" ] && kill -0 "$1" 2>/dev/null; do
          [ -z "$pid" ] && [ -f "$d/program" ] && read -r pid < "$d/program"
          sleep 0.5
        done
        """;

    private readonly DirectoryInfo directory;

    private TerminalAgent(DirectoryInfo directory, string device, string? term)
    {
        this.directory = directory;
        Device = device;
        Term = term;
    }

    /// <summary>The terminal device the shell runs on (/dev/pts/N): the program's stdin, stdout and stderr.</summary>
    public string Device { get; }

    /// <summary>The terminal's <c>TERM</c>, for a program whose configuration does not set one.</summary>
    public string? Term { get; }

    /// <summary>Asks the client to run the shell in a terminal of <paramref name="kind"/> and waits until it reports its device.</summary>
    /// <exception cref="RequestFailedException">The client did not run it, or it has no terminal; the message says which.</exception>
    public static async Task<TerminalAgent> StartAsync(RequestContext context, string kind, string title, string cwd)
    {
        var directory = Directory.CreateTempSubdirectory("trapdbg-terminal-");
        try
        {
            var script = Path.Combine(directory.FullName, "agent.sh");
            await File.WriteAllTextAsync(script, Script + "\n", context.CancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            timeout.CancelAfter(StartTimeout);
            var arguments = new RunInTerminalRequestArguments
            {
                Kind = kind,
                Title = title,
                Cwd = cwd,
                Args = ["/bin/sh", script, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            };
            Protocol.Messages.Response response;
            try
            {
                response = await context.Connection.SendRequestAsync(Commands.RunInTerminal, arguments,
                    ProtocolJsonContext.Default.RunInTerminalRequestArguments, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
            {
                throw new RequestFailedException($"launch: the client did not answer 'runInTerminal' within {StartTimeout.TotalSeconds:0} s; use \"console\": \"internalConsole\" to see the program's output in the Debug Console.");
            }
            if (!response.Success)
                throw new RequestFailedException($"launch: the client could not open a terminal for the program ({(response.Message ?? "no reason given").TrimEnd('.')}); use \"console\": \"internalConsole\" instead.");

            var report = Path.Combine(directory.FullName, "tty");
            while (!File.Exists(report))
            {
                try
                {
                    await Task.Delay(20, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
                {
                    throw new RequestFailedException($"launch: the terminal started but its shell did not report its terminal device within {StartTimeout.TotalSeconds:0} s.");
                }
            }
            var lines = await File.ReadAllLinesAsync(report, context.CancellationToken).ConfigureAwait(false);
            var device = lines.Length > 0 ? lines[0].Trim() : "";
            if (!device.StartsWith("/dev/", StringComparison.Ordinal))
                throw new RequestFailedException("launch: the command the client ran for 'runInTerminal' is not attached to a terminal, so the program cannot use it.");
            var term = lines.Length > 1 && lines[1].Trim() is { Length: > 0 } t ? t : null;
            return new TerminalAgent(directory, device, term);
        }
        catch
        {
            Remove(directory);
            throw;
        }
    }

    /// <summary>Tells the shell which process Ctrl-C is for.</summary>
    public void Announce(int programId)
    {
        try
        {
            var staging = Path.Combine(directory.FullName, "program.new");
            File.WriteAllText(staging, programId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            File.Move(staging, Path.Combine(directory.FullName, "program"), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only Ctrl-C forwarding is lost.
        }
    }

    /// <summary>Lets the shell end, which gives the terminal back to its own shell.</summary>
    public void Dispose() => Remove(directory);

    private static void Remove(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or the temporary directory is being cleaned: the shell ends when it is.
        }
    }
}
