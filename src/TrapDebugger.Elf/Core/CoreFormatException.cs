namespace TrapDebugger.Elf.Core;

/// <summary>A file that cannot be read as a core file; the message is one sentence that names the file and the reason.</summary>
public sealed class CoreFormatException(string message, Exception? inner = null) : Exception(message, inner);
