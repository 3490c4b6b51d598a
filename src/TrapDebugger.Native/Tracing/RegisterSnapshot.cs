namespace TrapDebugger.Native.Tracing;

/// <summary>The general registers of one stopped thread as the tracer read them at this stop, handed to other threads
/// whole (a reference, so a reader never sees half of an update).</summary>
internal sealed record RegisterSnapshot(GeneralRegisters Registers);
