namespace TrapDebugger.Targets;

/// <summary>Which debug-register slot fired and the address it watches.</summary>
/// <param name="Slot">The debug register index (DR0-DR3).</param>
/// <param name="Address">The watched address.</param>
/// <param name="Kind">What the slot watches.</param>
public readonly record struct WatchpointHit(int Slot, ulong Address, WatchKind Kind);
