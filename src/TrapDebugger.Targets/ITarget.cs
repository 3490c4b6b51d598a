using System.Threading.Channels;

namespace TrapDebugger.Targets;

/// <summary>One debugged process, whatever holds it: a live process traced on this machine, a core file, or a process on
/// another host served by the remote agent. The engine drives every kind through this interface and never asks which
/// kind it holds.</summary>
/// <remarks>
/// <para>All-stop: whenever a stop is reported every thread is stopped, and registers, threads and memory describe that
/// stop until the target is resumed. Calls that may cross a wire are asynchronous; memory is read synchronously (the
/// readers above it work on spans), so a target that fetches memory from afar serves reads from what it fetched for
/// the current stop.</para>
/// <para>A target that cannot run or be changed (a core file) answers run control, breakpoints, watchpoints and writes
/// with a <see cref="ReadOnlyTargetException"/> whose message says so in one sentence.</para>
/// <para>Failures are <see cref="TargetException"/>s with a one-sentence message.</para>
/// </remarks>
public interface ITarget : IAsyncDisposable
{
    /// <summary>The process id (as the target's host knows it).</summary>
    int ProcessId { get; }

    /// <summary>The path of the program the process runs (the new one after an exec), or null when unknown.</summary>
    string? ExecutablePath { get; }

    /// <summary>The ids of the process's threads, ascending.</summary>
    IReadOnlyList<int> ThreadIds { get; }

    /// <summary>The name of thread <paramref name="threadId"/> (its comm), or null when it cannot be known.</summary>
    string? ThreadName(int threadId);

    /// <summary>True once the process has exited, died or been let go; nothing more can be asked of it.</summary>
    bool HasEnded { get; }

    /// <summary>Why the target can be inspected but not run or changed (one sentence: a core file records a process that
    /// has ended), or null when it can run. The engine refuses a run with this sentence before it starts one.</summary>
    string? ReadOnlyReason => null;

    /// <summary>Stops, thread and module changes, and last the end of the process, in the order they happened. The first
    /// event after the target is created is its initial stop (entry, attach, or the stop a core file recorded).</summary>
    ChannelReader<TargetEvent> Events { get; }

    /// <summary>The process's memory, as the program sees it (the debugger's breakpoint bytes are never shown).</summary>
    ITargetMemory Memory { get; }

    /// <summary>The shared objects the dynamic loader has mapped (the program itself is <see cref="ExecutablePath"/>).</summary>
    IReadOnlyList<LoadedModule> Modules { get; }

    /// <summary>The file of a module at <paramref name="path"/> as the target names it, or null when the file cannot be
    /// found.</summary>
    TargetFile? OpenFile(string path);

    /// <summary>The auxiliary vector the kernel gave the program at exec (AT_ENTRY, AT_PHDR, AT_SYSINFO_EHDR, …).</summary>
    Task<AuxVector> GetAuxiliaryVectorAsync();

    /// <summary>The mappings of the process, in address order; empty when they cannot be read.</summary>
    Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync();

    /// <summary>Which signals the process catches or ignores, and which thread <paramref name="threadId"/> blocks.</summary>
    Task<SignalDispositions> GetSignalDispositionsAsync(int threadId);

    /// <summary>The general registers of thread <paramref name="threadId"/>.</summary>
    Task<GeneralRegisters> GetRegistersAsync(int threadId);

    /// <summary>Replaces the general registers of thread <paramref name="threadId"/>.</summary>
    Task SetRegistersAsync(int threadId, GeneralRegisters registers);

    /// <summary>The x87/SSE registers of thread <paramref name="threadId"/>.</summary>
    Task<FloatingPointRegisters> GetFloatingPointRegistersAsync(int threadId);

    /// <summary>Replaces the x87/SSE registers of thread <paramref name="threadId"/>.</summary>
    Task SetFloatingPointRegistersAsync(int threadId, FloatingPointRegisters registers);

    /// <summary>DR0-DR7 of thread <paramref name="threadId"/> (DR4 and DR5 read as 0); they are written through
    /// <see cref="SetWatchpointAsync"/> and <see cref="ClearWatchpointAsync"/>.</summary>
    Task<ulong[]> GetDebugRegistersAsync(int threadId);

    /// <summary>Resumes every thread (each with the signal it stopped for, unless <paramref name="deliverSignals"/> is
    /// false), or reports the next pending stop of another thread without resuming anything.</summary>
    Task ContinueAsync(bool deliverSignals = true);

    /// <summary>Executes one instruction in thread <paramref name="threadId"/> while the others stay stopped; the end is
    /// reported as a <see cref="StopReason.Step"/> stop (or whatever stopped it first).</summary>
    Task StepInstructionAsync(int threadId);

    /// <summary>Single-steps thread <paramref name="threadId"/> while the others stay stopped, for as long as its pc stays
    /// in [<paramref name="start"/>, <paramref name="end"/>) and the instruction there is not a call (a call is left for
    /// the caller to step into or over); the end is reported as one <see cref="StopReason.Step"/> stop whose
    /// <see cref="ProcessStopped.InstructionsStepped"/> says how many instructions ran (or whatever stopped it first).</summary>
    /// <remarks>This is how a source-level step crosses a line in one request. A target that cannot step by range steps
    /// one instruction, which its callers accept as a range step that stopped early.</remarks>
    Task StepInRangeAsync(int threadId, ulong start, ulong end) => StepInstructionAsync(threadId);

    /// <summary>Runs thread <paramref name="threadId"/> alone from its current registers, without the signal it stopped
    /// with, while every other thread stays stopped; its next stop (a breakpoint, a fault, or a <see cref="PauseAsync"/>)
    /// is reported as usual, and other threads' pending stops stay pending. How code of the program runs on a stopped
    /// thread: a function called from an expression.</summary>
    Task RunThreadAsync(int threadId);

    /// <summary>What thread <paramref name="threadId"/> would lose by running code for the debugger; see
    /// <see cref="SavedThreadState"/>.</summary>
    Task<SavedThreadState> SaveThreadAsync(int threadId);

    /// <summary>Puts back what <see cref="SaveThreadAsync"/> returned for thread <paramref name="threadId"/>: registers,
    /// floating-point and vector state, and the signal it receives when resumed.</summary>
    Task RestoreThreadAsync(int threadId, SavedThreadState state);

    /// <summary>Stops every running thread; the stop is reported with <see cref="StopReason.Pause"/>. Does nothing when
    /// the process is already stopped.</summary>
    Task PauseAsync();

    /// <summary>Ends the process and returns once its end has been reported.</summary>
    Task KillAsync();

    /// <summary>Restores every patched byte and debug register and lets the process run on without the debugger, or, with
    /// <paramref name="keepStopped"/>, leaves it in a job-control stop.</summary>
    Task DetachAsync(bool keepStopped = false);

    /// <summary>Inserts a software breakpoint at <paramref name="address"/>; inserting twice needs two removals. A hit is
    /// reported as a <see cref="StopReason.Breakpoint"/> stop at the address; with <paramref name="decide"/>, only when it
    /// returns true or another insertion at the address has no decision of its own.</summary>
    /// <remarks>Every decision at the address sees every hit. A target that cannot decide where the hit happens (a remote
    /// one) decides as soon as it sees the stop, and resumes without reporting it when no insertion wants it.</remarks>
    Task InsertBreakpointAsync(ulong address, BreakpointDecision? decide = null);

    /// <summary>Removes one insertion of the software breakpoint at <paramref name="address"/>: the one made with
    /// <paramref name="decide"/>, or one made without a decision.</summary>
    Task RemoveBreakpointAsync(ulong address, BreakpointDecision? decide = null);

    /// <summary>Makes each of <paramref name="insertions"/> as <see cref="InsertBreakpointAsync"/> does, in one request where
    /// the tracer is a round trip away; returns, in the same order, null for each that went in and the failure of each
    /// that did not.</summary>
    Task<IReadOnlyList<TargetException?>> InsertBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions) =>
        BreakpointInsertion.EachAsync(insertions, i => InsertBreakpointAsync(i.Address, i.Decide));

    /// <summary>Removes each of <paramref name="insertions"/> as <see cref="RemoveBreakpointAsync"/> does, in one request where
    /// the tracer is a round trip away; returns, in the same order, null for each removed and the failure of each that was
    /// not.</summary>
    Task<IReadOnlyList<TargetException?>> RemoveBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions) =>
        BreakpointInsertion.EachAsync(insertions, i => RemoveBreakpointAsync(i.Address, i.Decide));

    /// <summary>Programs a free debug register on every thread (and every thread created later) to trap on
    /// <paramref name="kind"/> accesses to <paramref name="size"/> bytes at <paramref name="address"/>; returns the slot.</summary>
    Task<DebugRegisterSlot> SetWatchpointAsync(ulong address, int size, WatchKind kind);

    /// <summary>Frees debug-register slot <paramref name="slot"/> on every thread.</summary>
    Task ClearWatchpointAsync(int slot);

    /// <summary>What the target does when the program forks: follow the parent or the child, and keep the other process as
    /// a target of its own or let it go (see <see cref="ForkOptions"/>). A target that cannot follow forks ignores it.</summary>
    Task SetForkOptionsAsync(ForkOptions options) => Task.CompletedTask;

    /// <summary>The launched program's stdin when it was launched with <see cref="StdioMode.Pipe"/>.</summary>
    Stream? StandardInput { get; }

    /// <summary>The launched program's stdout when it was launched with <see cref="StdioMode.Pipe"/>.</summary>
    Stream? StandardOutput { get; }

    /// <summary>The launched program's stderr when it was launched with <see cref="StdioMode.Pipe"/>.</summary>
    Stream? StandardError { get; }
}
