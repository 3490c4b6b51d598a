
namespace TrapDebugger.Native.Breakpoints;

/// <summary>What a breakpoint condition sees: the thread that hit it, its registers, and the process memory.</summary>
/// <remarks>Conditions run on the tracer thread while every thread is stopped, so a false condition costs no thread
/// switch and is never reported; they must be quick and must not wait on other requests of the same process.</remarks>
public sealed class BreakpointHit(int threadId, ulong address, GeneralRegisters registers, IByteSource memory)
{
    /// <summary>The thread that executed the breakpoint.</summary>
    public int ThreadId { get; } = threadId;

    /// <summary>The breakpoint address (the thread's pc has already been set back to it).</summary>
    public ulong Address { get; } = address;

    /// <summary>The thread's general registers at the hit.</summary>
    public GeneralRegisters Registers { get; } = registers;

    /// <summary>The process memory, with breakpoint bytes masked.</summary>
    public IByteSource Memory { get; } = memory;
}
