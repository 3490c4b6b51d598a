using PolyType;

namespace TrapDebugger.Remote.Contract;

/// <summary>Source-generated type shapes for every type the agent's contract carries, so the MessagePack formatter
/// serializes them without reflection (Native AOT).</summary>
[GenerateShapeFor<AgentGreeting>]
[GenerateShapeFor<WireProcess>]
[GenerateShapeFor<WireProcess[]>]
[GenerateShapeFor<WireLaunch>]
[GenerateShapeFor<WireTargetInfo>]
[GenerateShapeFor<WireEvent[]>]
[GenerateShapeFor<WireRange[]>]
[GenerateShapeFor<WireRegion[]>]
[GenerateShapeFor<WireFile>]
[GenerateShapeFor<WireSavedThread>]
[GenerateShapeFor<byte[][]>]
[GenerateShapeFor<byte[]>]
[GenerateShapeFor<ulong[]>]
[GenerateShapeFor<ulong>]
[GenerateShapeFor<long>]
[GenerateShapeFor<int>]
[GenerateShapeFor<bool>]
[GenerateShapeFor<string>]
[GenerateShapeFor<string[]>]
public sealed partial class WireShapes;
