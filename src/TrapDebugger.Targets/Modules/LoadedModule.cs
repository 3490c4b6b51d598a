namespace TrapDebugger.Targets;

/// <summary>A shared object in the process as the dynamic loader lists it.</summary>
/// <param name="Path">l_name: the path the loader opened.</param>
/// <param name="LoadBias">l_addr: the difference between the addresses in the file and in memory.</param>
/// <param name="DynamicAddress">l_ld: the address of its dynamic section in memory.</param>
public sealed record LoadedModule(string Path, ulong LoadBias, ulong DynamicAddress);
