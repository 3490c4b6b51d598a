namespace TrapDebugger.Native.Tracing;

/// <summary>What the tracer knows about one thread of the tracee: whether it runs and how it must be resumed.</summary>
internal sealed class TraceeThread(int tid)
{
    public int Tid { get; set; } = tid;

    /// <summary>Resumed and not yet reported back by waitpid.</summary>
    public bool Running { get; set; }

    /// <summary>Seized automatically at clone; its first stop (PTRACE_EVENT_STOP) has not arrived yet.</summary>
    public bool AwaitingInitialStop { get; set; }

    /// <summary>Resumed from its PTRACE_EVENT_EXIT stop: it can only die now, never stop again.</summary>
    public bool Exiting { get; set; }

    /// <summary>Stopped at PTRACE_EVENT_EXIT.</summary>
    public bool InExitStop { get; set; }

    /// <summary>Stopped in a group-stop: it must be resumed with PTRACE_LISTEN so it stays stopped until SIGCONT.</summary>
    public bool InGroupStop { get; set; }

    /// <summary>The signal to deliver when the thread resumes from a signal-delivery-stop (0 for none).</summary>
    public int ResumeSignal { get; set; }

    /// <summary>Resumed with PTRACE_SINGLESTEP; the next SIGTRAP with DR6.BS is the step's end.</summary>
    public bool Stepping { get; set; }

    /// <summary>The general registers read (or set) at this stop, until the thread resumes.</summary>
    public GeneralRegisters? Registers { get; set; }

    /// <summary>True when <see cref="Registers"/> holds changes the kernel has not been told yet (written on resume).</summary>
    public bool RegistersUnwritten { get; set; }

    /// <summary>A system call run out of line that the kernel will restart: the thread is shown after the original
    /// instruction and goes back into its slot when it resumes, so the restart runs the copy, not the breakpoint.</summary>
    public Breakpoints.DisplacedInstruction? RestartInSlot { get; set; }

    /// <summary>Whether the thread has a shadow stack (CET), on which a call done by the tracer would leave no return
    /// address; null until asked.</summary>
    public bool? ShadowStack { get; set; }

    /// <summary>The breakpoint whose original instruction the tracer is stepping this thread over, until the step's
    /// trap arrives; an int3 trap there meanwhile is the same pass (a restarted system call), not a new hit.</summary>
    public ulong? SteppingOverSite { get; set; }

    /// <summary>Its stop is reported to the client as a user-visible step (not a step-over of the tracer).</summary>
    public bool ClientStep { get; set; }

    /// <summary>For a client's range step: the addresses the thread keeps stepping within.</summary>
    public StepRange? Range { get; set; }

    /// <summary>How many instructions the client's step has run so far.</summary>
    public int StepsTaken { get; set; }
}

/// <summary>The addresses [Start, End) a range step keeps a thread stepping within.</summary>
internal readonly record struct StepRange(ulong Start, ulong End)
{
    public bool Contains(ulong pc) => pc >= Start && pc < End;
}
