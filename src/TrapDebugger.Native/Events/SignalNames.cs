namespace TrapDebugger.Native.Events;

/// <summary>The conventional names of Linux x86-64 signal numbers.</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>"SIGSEGV" for 11; "SIGRTMIN+n" for real-time signals; the number otherwise.</summary>
    public static string Of(int signal) =>
        signal > 0 && signal < Names.Length ? Names[signal]
        : signal >= 34 && signal <= 64 ? $"SIGRTMIN+{signal - 34}"
        : $"signal {signal}";
}
