using PolyType;
using StreamJsonRpc;

namespace TrapDebugger.Remote.Contract;

/// <summary>What the remote agent serves over JSON-RPC: the live target surface of its host (processes to list, launch,
/// attach and detach; one debugged process's threads, registers, memory, breakpoints, watchpoints and stop events) and
/// the files of its modules by byte ranges.</summary>
/// <remarks>
/// <para>One connection debugs at most one process. Every stop travels as one <see cref="WireEvent"/> that carries what a
/// diagnosis needs (every thread's registers, the code around the stopping thread's pc, the top of its stack), so the
/// client can answer the first questions of a stop without asking again.</para>
/// <para>Over TCP the first call must be <see cref="AuthenticateAsync"/>; until it succeeds every other call fails.</para>
/// <para>Failures are JSON-RPC errors whose message is one sentence for the user.</para>
/// </remarks>
[JsonRpcContract]
[GenerateShape(IncludeMethods = MethodShapeFlags.PublicInstance)]
public partial interface IRemoteAgent
{
    /// <summary>Presents the token a TCP agent requires; says who the agent is.</summary>
    Task<AgentGreeting> AuthenticateAsync(string token, CancellationToken cancellationToken);

    /// <summary>Says who the agent is (a stdio agent needs no token: whoever holds its pipe started it).</summary>
    Task<AgentGreeting> GreetAsync(CancellationToken cancellationToken);

    /// <summary>The processes running on the agent's host.</summary>
    Task<WireProcess[]> ListProcessesAsync(CancellationToken cancellationToken);

    /// <summary>Process <paramref name="processId"/>, or null when it does not run.</summary>
    Task<WireProcess?> FindProcessAsync(int processId, CancellationToken cancellationToken);

    /// <summary>Begins waiting for a process that is not running now to run <paramref name="program"/>; answers once the
    /// wait has begun, with the number <see cref="WaitForProcessAsync"/> collects it by.</summary>
    Task<int> BeginWaitForProcessAsync(string program, CancellationToken cancellationToken);

    /// <summary>The id of the process wait <paramref name="wait"/> caught; waits for it. Cancelling the call ends the wait.</summary>
    Task<int> WaitForProcessAsync(int wait, CancellationToken cancellationToken);

    /// <summary>Starts a program stopped at its entry point.</summary>
    Task<WireTargetInfo> LaunchAsync(WireLaunch launch, CancellationToken cancellationToken);

    /// <summary>Attaches to process <paramref name="processId"/> with every thread stopped.</summary>
    Task<WireTargetInfo> AttachAsync(int processId, CancellationToken cancellationToken);

    /// <summary>The events after number <paramref name="after"/>; waits until there is at least one.</summary>
    Task<WireEvent[]> NextEventsAsync(long after, CancellationToken cancellationToken);

    /// <summary>Reads every range in one call; each result holds the bytes that could be read from its start.</summary>
    Task<byte[][]> ReadMemoryAsync(WireRange[] ranges, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="data"/> at <paramref name="address"/>.</summary>
    Task WriteMemoryAsync(ulong address, byte[] data, CancellationToken cancellationToken);

    /// <summary>The general registers of a thread, in the kernel's user_regs_struct order.</summary>
    Task<ulong[]> GetRegistersAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>Replaces the general registers of a thread.</summary>
    Task SetRegistersAsync(int threadId, ulong[] registers, CancellationToken cancellationToken);

    /// <summary>The x87/SSE registers of a thread (the 512-byte user_fpregs_struct).</summary>
    Task<byte[]> GetFloatingPointRegistersAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>Replaces the x87/SSE registers of a thread.</summary>
    Task SetFloatingPointRegistersAsync(int threadId, byte[] registers, CancellationToken cancellationToken);

    /// <summary>DR0-DR7 of a thread.</summary>
    Task<ulong[]> GetDebugRegistersAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>The auxiliary vector as (type, value) pairs.</summary>
    Task<ulong[]> GetAuxiliaryVectorAsync(CancellationToken cancellationToken);

    /// <summary>The mappings of the process.</summary>
    Task<WireRegion[]> GetMemoryRegionsAsync(CancellationToken cancellationToken);

    /// <summary>The caught, ignored and blocked signal masks of a thread.</summary>
    Task<ulong[]> GetSignalDispositionsAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>Resumes every thread, or reports the next pending stop.</summary>
    Task ContinueAsync(bool deliverSignals, CancellationToken cancellationToken);

    /// <summary>Executes one instruction in a thread.</summary>
    Task StepInstructionAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>Steps a thread while its pc stays in [start, end) and the instruction there is not a call.</summary>
    Task StepInRangeAsync(int threadId, ulong start, ulong end, CancellationToken cancellationToken);

    /// <summary>Runs one thread alone from its registers while the others stay stopped (a function called from an expression).</summary>
    Task RunThreadAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>What a thread would lose by running code for the debugger.</summary>
    Task<WireSavedThread> SaveThreadAsync(int threadId, CancellationToken cancellationToken);

    /// <summary>Puts back what <see cref="SaveThreadAsync"/> returned.</summary>
    Task RestoreThreadAsync(int threadId, WireSavedThread state, CancellationToken cancellationToken);

    /// <summary>Stops every thread.</summary>
    Task PauseAsync(CancellationToken cancellationToken);

    /// <summary>Ends the process.</summary>
    Task KillAsync(CancellationToken cancellationToken);

    /// <summary>Restores every patched byte and debug register and lets the process go.</summary>
    Task DetachAsync(bool keepStopped, CancellationToken cancellationToken);

    /// <summary>Inserts a software breakpoint at each address; returns, in the same order, null for each that went in and
    /// the one-sentence reason for each that did not.</summary>
    Task<string?[]> InsertBreakpointsAsync(ulong[] addresses, CancellationToken cancellationToken);

    /// <summary>Removes one insertion of a software breakpoint at each address; returns the outcomes as
    /// <see cref="InsertBreakpointsAsync"/> does.</summary>
    Task<string?[]> RemoveBreakpointsAsync(ulong[] addresses, CancellationToken cancellationToken);

    /// <summary>Programs a free debug register; returns its slot index.</summary>
    Task<int> SetWatchpointAsync(ulong address, int size, int kind, CancellationToken cancellationToken);

    /// <summary>Frees a debug-register slot.</summary>
    Task ClearWatchpointAsync(int slot, CancellationToken cancellationToken);

    /// <summary>Writes to the launched program's stdin (an empty array closes it).</summary>
    Task WriteStandardInputAsync(byte[] data, CancellationToken cancellationToken);

    /// <summary>Describes the file of a module as the debugged process names it (or as the host names it with no process), or null when it cannot be read.</summary>
    Task<WireFile?> DescribeFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="count"/> bytes of a file described by <see cref="DescribeFileAsync"/>, from <paramref name="offset"/>.</summary>
    Task<byte[]> ReadFileAsync(string path, long offset, int count, CancellationToken cancellationToken);
}
