namespace TrapDebugger.Cli.Usage;

/// <summary>The exit statuses of <c>trapdbg</c>: the numbers the commands return and the meanings <c>--help</c> lists.</summary>
/// <remarks>A command that needs a new status adds it here, so the help stays the whole list.</remarks>
public static class ExitStatus
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command could not do what was asked: a file could not be read, what was asked for is not in it, a port cannot be opened.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown command or option, a missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>The debugger itself failed: it could not launch, attach to or control the process (as <c>env</c> and <c>timeout</c> use 125).</summary>
    public const int DebuggerFailure = 125;

    /// <summary>The program exists but cannot be run (as a shell's 126).</summary>
    public const int CannotExecute = 126;

    /// <summary>The program was not found (as a shell's 127).</summary>
    public const int NotFound = 127;

    /// <summary>The status for a program that died of, or was stopped by, signal <paramref name="signal"/> (as a shell reports it).</summary>
    public static int OfSignal(int signal) => 128 + signal;

    /// <summary>Each status (or range) with what it means, in the order help lists them; an empty status continues the
    /// row above.</summary>
    public static IReadOnlyList<(string Status, string Meaning)> Meanings { get; } =
    [
        ("0", "success; for run, the program exited with status 0"),
        ("1", "the command could not do what was asked: a file could not be read, a name or line is not in it"),
        ("", "(lookup), the port cannot be opened (dap --port)"),
        ("2", "the command line is wrong: an unknown command or option, a missing or malformed argument"),
        ("125", "the debugger failed: it could not launch, attach to or control the process"),
        ("126", "run: the program is not an executable file"),
        ("127", "run: the program was not found"),
        ("128+N", "run, attach: the program stopped on signal N; the report was printed, then the program killed;"),
        ("", "core: the process the core records died of signal N:"),
        ("", "132 a trap (SIGILL), 133 SIGTRAP, 134 an abort or failed assert (SIGABRT), 136 SIGFPE, 139 a crash (SIGSEGV)"),
        ("130", "interrupted with Ctrl-C (run: the program is killed; attach: detached, the process keeps running)"),
        ("other", "run: the program's own exit status, when it exits by itself"),
    ];
}
