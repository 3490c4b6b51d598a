namespace TrapDebugger.Native.Interop;

/// <summary>ptrace(2) requests, options and event codes from &lt;sys/ptrace.h&gt; (x86-64 values).</summary>
internal static class Ptrace
{
    public const long PEEKDATA = 2, PEEKUSER = 3, POKEDATA = 5, POKEUSER = 6, CONT = 7, KILL = 8, SINGLESTEP = 9;
    public const long GETREGS = 12, SETREGS = 13, GETFPREGS = 14, SETFPREGS = 15, DETACH = 17;
    public const long SETOPTIONS = 0x4200, GETEVENTMSG = 0x4201, GETSIGINFO = 0x4202, SETSIGINFO = 0x4203;
    public const long SEIZE = 0x4206, INTERRUPT = 0x4207, LISTEN = 0x4208;
    public const long GETREGSET = 0x4204, SETREGSET = 0x4205;

    /// <summary>The register set of the whole XSAVE area (x87, SSE, AVX and later extensions): NT_X86_XSTATE.</summary>
    public const int NT_X86_XSTATE = 0x202;

    public const int O_TRACESYSGOOD = 1, O_TRACEFORK = 2, O_TRACEVFORK = 4, O_TRACECLONE = 8, O_TRACEEXEC = 0x10, O_TRACEVFORKDONE = 0x20, O_TRACEEXIT = 0x40;

    public const int EVENT_FORK = 1, EVENT_VFORK = 2, EVENT_CLONE = 3, EVENT_EXEC = 4, EVENT_VFORK_DONE = 5, EVENT_EXIT = 6, EVENT_STOP = 128;

    /// <summary>offsetof(struct user, u_debugreg) on x86-64.</summary>
    public const int DebugRegisterOffset = 848;
}

/// <summary>waitpid(2)/waitid(2) flags.</summary>
internal static class WaitFlags
{
    public const int WNOHANG = 1, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000, WNOTHREAD = 0x20000000, WALL = 0x40000000;
    public const int P_ALL = 0, P_PID = 1;
}

/// <summary>errno values the tracer tells apart.</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ECHILD = 10, EAGAIN = 11, EFAULT = 14, EBUSY = 16, EINVAL = 22;
}
