namespace TrapDebugger.Traps;

/// <summary>Names of Linux x86-64 signals and of the si_code values that say who sent one.</summary>
public static class SignalNames
{
    /// <summary>SIGILL.</summary>
    public const int SIGILL = 4;
    /// <summary>SIGTRAP.</summary>
    public const int SIGTRAP = 5;
    /// <summary>SIGABRT.</summary>
    public const int SIGABRT = 6;
    /// <summary>SIGBUS.</summary>
    public const int SIGBUS = 7;
    /// <summary>SIGFPE.</summary>
    public const int SIGFPE = 8;
    /// <summary>SIGSEGV.</summary>
    public const int SIGSEGV = 11;

    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>The name of signal <paramref name="signal"/> ("SIGRTMIN+3" for real-time signals, "signal 99" if unknown).</summary>
    public static string Name(int signal) =>
        signal > 0 && signal < Names.Length ? Names[signal]
        : signal >= 34 && signal <= 64 ? (signal == 34 ? "SIGRTMIN" : $"SIGRTMIN+{signal - 34}")
        : $"signal {signal}";

    /// <summary>How a process sent a signal, from its si_code (SI_USER, SI_TKILL, …).</summary>
    public static string Sender(int code) => code switch
    {
        0 => "kill",         // SI_USER
        -1 => "sigqueue",    // SI_QUEUE
        -2 => "a timer",     // SI_TIMER
        -3 => "a message queue", // SI_MESGQ
        -4 => "async I/O",   // SI_ASYNCIO
        -5 => "SIGIO",       // SI_SIGIO
        -6 => "tgkill",      // SI_TKILL
        _ => $"si_code {code}",
    };
}
