namespace TrapDebugger.Targets;

/// <summary>Everything a stopped thread would lose if it ran code for the debugger (a function called from an
/// expression): its general registers, its whole floating-point and vector state, and the signal it receives when
/// resumed. <see cref="ITarget.RestoreThreadAsync"/> puts it back.</summary>
/// <param name="Registers">The general registers.</param>
/// <param name="ExtendedState">The x87, SSE, AVX and later registers as the target's host saves them (the kernel's XSAVE
/// area for a live process); opaque to everything but the target that made it.</param>
/// <param name="ResumeSignal">The signal the thread receives when it is next resumed (the one it stopped with, unless
/// changed), 0 for none.</param>
public sealed record SavedThreadState(GeneralRegisters Registers, byte[] ExtendedState, int ResumeSignal);
