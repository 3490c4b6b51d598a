namespace TrapDebugger.Targets;

/// <summary>A target cannot do what was asked (the process is gone, running, or cannot be traced); the message is one
/// sentence for the user that says why and, when there is one, what to do.</summary>
public class TargetException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The target cannot be changed: a core file has no process to resume, step, pause or write to.</summary>
public sealed class ReadOnlyTargetException(string message) : TargetException(message);
