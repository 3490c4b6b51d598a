namespace TrapDebugger.Engine.Frames;

/// <summary>One formal parameter of a frame as a call stack shows it.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Type">Its type as written in C or C++.</param>
/// <param name="Value">Its value, formatted.</param>
public readonly record struct FrameParameter(string Name, string Type, string Value);
