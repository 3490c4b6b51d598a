namespace TrapDebugger.Engine.Process;

/// <summary>A request to the debugger cannot be carried out now (process running, unknown frame, process gone); the message is one sentence for the user.</summary>
public sealed class EngineException(string message, Exception? inner = null) : Exception(message, inner);
