namespace TrapDebugger.Targets;

/// <summary>What the kernel does with a signal nobody handles (signal(7)).</summary>
public enum SignalAction
{
    /// <summary>The process ends (Term).</summary>
    Terminate,
    /// <summary>The process ends and dumps core (Core).</summary>
    CoreDump,
    /// <summary>The signal is dropped (Ign).</summary>
    Ignore,
    /// <summary>The process enters a job-control stop (Stop).</summary>
    Stop,
    /// <summary>A stopped process continues (Cont).</summary>
    Continue,
}

/// <summary>The Linux x86-64 signals: their numbers, names and default actions, and the <c>si_code</c> values that say
/// how one was raised.</summary>
public static class Signals
{
    /// <summary>SIGHUP: the terminal hung up.</summary>
    public const int SIGHUP = 1;
    /// <summary>SIGINT: interrupt from the keyboard (Ctrl-C).</summary>
    public const int SIGINT = 2;
    /// <summary>SIGQUIT: quit from the keyboard.</summary>
    public const int SIGQUIT = 3;
    /// <summary>SIGILL: illegal instruction (also ud2 and ud1 traps).</summary>
    public const int SIGILL = 4;
    /// <summary>SIGTRAP: trace or breakpoint trap.</summary>
    public const int SIGTRAP = 5;
    /// <summary>SIGABRT: abort().</summary>
    public const int SIGABRT = 6;
    /// <summary>SIGBUS: bus error (bad memory access).</summary>
    public const int SIGBUS = 7;
    /// <summary>SIGFPE: arithmetic error.</summary>
    public const int SIGFPE = 8;
    /// <summary>SIGKILL: kill, which cannot be caught.</summary>
    public const int SIGKILL = 9;
    /// <summary>SIGUSR1.</summary>
    public const int SIGUSR1 = 10;
    /// <summary>SIGSEGV: invalid memory reference.</summary>
    public const int SIGSEGV = 11;
    /// <summary>SIGUSR2.</summary>
    public const int SIGUSR2 = 12;
    /// <summary>SIGPIPE: write to a pipe with no reader.</summary>
    public const int SIGPIPE = 13;
    /// <summary>SIGALRM: alarm(2) timer.</summary>
    public const int SIGALRM = 14;
    /// <summary>SIGTERM: termination request.</summary>
    public const int SIGTERM = 15;
    /// <summary>SIGSTKFLT.</summary>
    public const int SIGSTKFLT = 16;
    /// <summary>SIGCHLD: a child stopped or ended.</summary>
    public const int SIGCHLD = 17;
    /// <summary>SIGCONT: continue a stopped process.</summary>
    public const int SIGCONT = 18;
    /// <summary>SIGSTOP: stop, which cannot be caught.</summary>
    public const int SIGSTOP = 19;
    /// <summary>SIGTSTP: stop from the terminal (Ctrl-Z).</summary>
    public const int SIGTSTP = 20;
    /// <summary>SIGTTIN: background read from the terminal.</summary>
    public const int SIGTTIN = 21;
    /// <summary>SIGTTOU: background write to the terminal.</summary>
    public const int SIGTTOU = 22;
    /// <summary>SIGURG: urgent data on a socket.</summary>
    public const int SIGURG = 23;
    /// <summary>SIGXCPU: CPU time limit exceeded.</summary>
    public const int SIGXCPU = 24;
    /// <summary>SIGXFSZ: file size limit exceeded.</summary>
    public const int SIGXFSZ = 25;
    /// <summary>SIGVTALRM: virtual timer.</summary>
    public const int SIGVTALRM = 26;
    /// <summary>SIGPROF: profiling timer.</summary>
    public const int SIGPROF = 27;
    /// <summary>SIGWINCH: the terminal window changed size.</summary>
    public const int SIGWINCH = 28;
    /// <summary>SIGIO: I/O is possible.</summary>
    public const int SIGIO = 29;
    /// <summary>SIGPWR: power failure.</summary>
    public const int SIGPWR = 30;
    /// <summary>SIGSYS: bad system call (seccomp).</summary>
    public const int SIGSYS = 31;
    /// <summary>glibc's SIGCANCEL (the kernel's first real-time signal): thread cancellation.</summary>
    public const int SIGCANCEL = 32;
    /// <summary>glibc's SIGSETXID: setuid and friends applied to every thread.</summary>
    public const int SIGSETXID = 33;
    /// <summary>SIGRTMIN as glibc defines it: the first real-time signal a program may use.</summary>
    public const int SIGRTMIN = 34;
    /// <summary>SIGRTMAX: the last real-time signal.</summary>
    public const int SIGRTMAX = 64;

    /// <summary>si_code TRAP_BRKPT: a software breakpoint (int3).</summary>
    public const int TRAP_BRKPT = 1;
    /// <summary>si_code TRAP_TRACE: a single-step trap.</summary>
    public const int TRAP_TRACE = 2;
    /// <summary>si_code TRAP_HWBKPT: a debug-register trap.</summary>
    public const int TRAP_HWBKPT = 4;
    /// <summary>si_code SI_KERNEL: raised by the kernel itself (an int3 reports SIGTRAP with it).</summary>
    public const int SI_KERNEL = 0x80;

    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>The name of signal <paramref name="signal"/> ("SIGRTMIN+3" for real-time signals, "signal 99" if unknown).</summary>
    public static string Name(int signal) =>
        signal > 0 && signal < Names.Length ? Names[signal]
        : signal >= SIGRTMIN && signal <= SIGRTMAX ? (signal == SIGRTMIN ? "SIGRTMIN" : $"SIGRTMIN+{signal - SIGRTMIN}")
        : $"signal {signal}";

    /// <summary>What the kernel does with <paramref name="signal"/> when the program neither handles nor ignores it.</summary>
    public static SignalAction DefaultAction(int signal) => signal switch
    {
        SIGQUIT or SIGILL or SIGTRAP or SIGABRT or SIGBUS or SIGFPE or SIGSEGV or SIGXCPU or SIGXFSZ or SIGSYS => SignalAction.CoreDump,
        SIGCHLD or SIGURG or SIGWINCH => SignalAction.Ignore,
        SIGSTOP or SIGTSTP or SIGTTIN or SIGTTOU => SignalAction.Stop,
        SIGCONT => SignalAction.Continue,
        _ => SignalAction.Terminate,
    };

    /// <summary>True for a signal that means the program itself failed: a fault, a trap or an abort (SIGILL, SIGTRAP,
    /// SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS).</summary>
    public static bool IsCrash(int signal) => signal is SIGILL or SIGTRAP or SIGABRT or SIGBUS or SIGFPE or SIGSEGV or SIGSYS;

    /// <summary>True for the signals whose kernel-raised siginfo carries the faulting address (si_addr).</summary>
    public static bool HasFaultAddress(int signal) => signal is SIGILL or SIGTRAP or SIGBUS or SIGFPE or SIGSEGV;

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
