namespace TrapDebugger.Remote.Contract;

/// <summary>Who answered: the agent's protocol version, host and process id.</summary>
public sealed class AgentGreeting
{
    /// <summary>The protocol version; a client refuses an agent whose version it does not speak.</summary>
    public int Protocol { get; set; }

    /// <summary>The agent's host name.</summary>
    public string Host { get; set; } = "";

    /// <summary>The agent's own process id.</summary>
    public int ProcessId { get; set; }
}

/// <summary>A process on the agent's host.</summary>
public sealed class WireProcess
{
    /// <summary>Its id on the host.</summary>
    public int ProcessId { get; set; }

    /// <summary>The program it runs, or null when it cannot be read.</summary>
    public string? ExecutablePath { get; set; }

    /// <summary>Its id inside its own PID namespace (a container), when that differs from the host's.</summary>
    public int? NamespaceProcessId { get; set; }

    /// <summary>Its command line, for a process picker.</summary>
    public string? CommandLine { get; set; }
}

/// <summary>How to start a program on the agent's host.</summary>
public sealed class WireLaunch
{
    /// <summary>The program.</summary>
    public string Program { get; set; } = "";

    /// <summary>Arguments after argv[0].</summary>
    public string[] Arguments { get; set; } = [];

    /// <summary>Variables to set in the agent's environment for the program, or null for the agent's environment as it is.</summary>
    public Dictionary<string, string>? Environment { get; set; }

    /// <summary>The working directory, or null for the agent's.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>stdin, stdout, stderr: 0 inherit the agent's (never its protocol pipe), 1 pipe to the client, 2 /dev/null.</summary>
    public int[] Stdio { get; set; } = [2, 1, 1];

    /// <summary>Disable address-space randomisation.</summary>
    public bool DisableAslr { get; set; } = true;
}

/// <summary>The debugged process as the agent sees it right after launch or attach.</summary>
public sealed class WireTargetInfo
{
    /// <summary>Its id on the agent's host.</summary>
    public int ProcessId { get; set; }

    /// <summary>The program it runs.</summary>
    public string? ExecutablePath { get; set; }
}

/// <summary>What a thread would lose by running code for the debugger (see SavedThreadState).</summary>
public sealed class WireSavedThread
{
    /// <summary>The general registers, in the kernel's user_regs_struct order.</summary>
    public ulong[] Registers { get; set; } = [];

    /// <summary>The floating-point and vector state as the agent's host saves it; opaque to the client.</summary>
    public byte[] ExtendedState { get; set; } = [];

    /// <summary>The signal the thread receives when resumed, 0 for none.</summary>
    public int ResumeSignal { get; set; }
}

/// <summary>One event of the debugged process, numbered in the order it happened.</summary>
public sealed class WireEvent
{
    /// <summary>Its number (1, 2, …).</summary>
    public long Sequence { get; set; }

    /// <summary>stopped, threadCreated, threadExited, exec, childDetached, exited, killed, detached, moduleLoaded, moduleUnloaded, output, connectionEnded.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The thread of a stop or thread event.</summary>
    public int ThreadId { get; set; }

    /// <summary>The parent thread of a new thread, or the former thread of an exec.</summary>
    public int OtherThreadId { get; set; }

    /// <summary>The StopReason of a stop.</summary>
    public int Reason { get; set; }

    /// <summary>The address of a stop, or the load bias of a module.</summary>
    public ulong Address { get; set; }

    /// <summary>The exit code, the killing signal, or the forked child's pid.</summary>
    public int Code { get; set; }

    /// <summary>Whether a killed process dumped core.</summary>
    public bool CoreDumped { get; set; }

    /// <summary>The siginfo of a signal stop or of the killing signal: signo, code, address, sender pid, sender uid.</summary>
    public WireSignal? Signal { get; set; }

    /// <summary>The watchpoint that fired: slot, address, kind.</summary>
    public int[]? WatchSlot { get; set; }

    /// <summary>The watched address of a watchpoint stop.</summary>
    public ulong WatchAddress { get; set; }

    /// <summary>How many other threads have stops pending.</summary>
    public int PendingStops { get; set; }

    /// <summary>For the end of a step: how many instructions the thread executed.</summary>
    public int InstructionsStepped { get; set; }

    /// <summary>A path: the module, the new program of an exec, or the stream name of output (stdout, stderr).</summary>
    public string? Path { get; set; }

    /// <summary>Output bytes.</summary>
    public byte[]? Data { get; set; }

    /// <summary>The state of a stop: every thread and the memory a diagnosis reads first.</summary>
    public WireStopState? State { get; set; }

    /// <summary>The sentence that says why the session ended, for connectionEnded.</summary>
    public string? Message { get; set; }
}

/// <summary>A siginfo on the wire.</summary>
public sealed class WireSignal
{
    /// <summary>si_signo.</summary>
    public int Signal { get; set; }

    /// <summary>si_code.</summary>
    public int Code { get; set; }

    /// <summary>si_addr.</summary>
    public ulong Address { get; set; }

    /// <summary>si_pid.</summary>
    public int? SenderPid { get; set; }

    /// <summary>si_uid.</summary>
    public int? SenderUid { get; set; }
}

/// <summary>What a stop looks like: every thread with its registers, the loaded modules, and prefetched memory.</summary>
public sealed class WireStopState
{
    /// <summary>Every thread of the process.</summary>
    public WireThread[] Threads { get; set; } = [];

    /// <summary>The shared objects the loader lists.</summary>
    public WireModule[] Modules { get; set; } = [];

    /// <summary>Memory read at the stop: the code around the stopping thread's pc and the top of its stack.</summary>
    public WireMemory[] Memory { get; set; } = [];

    /// <summary>The program the process runs now.</summary>
    public string? ExecutablePath { get; set; }
}

/// <summary>A thread at a stop.</summary>
public sealed class WireThread
{
    /// <summary>Its id.</summary>
    public int ThreadId { get; set; }

    /// <summary>Its name (comm).</summary>
    public string? Name { get; set; }

    /// <summary>Its general registers (user_regs_struct order), or null when they could not be read.</summary>
    public ulong[]? Registers { get; set; }
}

/// <summary>A loaded module.</summary>
public sealed class WireModule
{
    /// <summary>l_name.</summary>
    public string Path { get; set; } = "";

    /// <summary>l_addr.</summary>
    public ulong LoadBias { get; set; }

    /// <summary>l_ld.</summary>
    public ulong DynamicAddress { get; set; }
}

/// <summary>Bytes of memory at an address.</summary>
public sealed class WireMemory
{
    /// <summary>The first address.</summary>
    public ulong Address { get; set; }

    /// <summary>The bytes that could be read from it; the range asked for may have been longer.</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>How many bytes were asked for (so a short read says the rest is unreadable).</summary>
    public int Requested { get; set; }
}

/// <summary>A range of memory to read.</summary>
public sealed class WireRange
{
    /// <summary>The first address.</summary>
    public ulong Address { get; set; }

    /// <summary>How many bytes.</summary>
    public int Length { get; set; }
}

/// <summary>One mapping of the process.</summary>
public sealed class WireRegion
{
    /// <summary>Start, end, offset and inode.</summary>
    public ulong[] Numbers { get; set; } = [];

    /// <summary>The permissions as /proc/pid/maps writes them.</summary>
    public string Permissions { get; set; } = "";

    /// <summary>The backing file or pseudo-name.</summary>
    public string Path { get; set; } = "";
}

/// <summary>A file of a module on the agent's host.</summary>
public sealed class WireFile
{
    /// <summary>Its size in bytes.</summary>
    public long Length { get; set; }

    /// <summary>Its GNU build-id in hex, or null when it has none.</summary>
    public string? BuildId { get; set; }

    /// <summary>Its last write time (Unix seconds), which keys the cache of a file without a build-id.</summary>
    public long ModifiedUnixSeconds { get; set; }
}
