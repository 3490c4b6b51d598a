namespace TrapDebugger.Traps;

/// <summary>Gives the text of source lines, so messages of merged <c>__builtin_verbose_trap</c> calls can be recovered.</summary>
public interface ISourceText
{
    /// <summary>The text of 1-based line <paramref name="line"/> of <paramref name="file"/> without its newline, or null if unavailable.</summary>
    string? GetLine(string file, int line);
}

/// <summary>Finds the address of a global variable by its symbol name (e.g. glibc's <c>__abort_msg</c>).</summary>
public interface IGlobalSymbols
{
    /// <summary>The run-time address of the global named <paramref name="name"/>, or null when no loaded module defines it.</summary>
    ulong? AddressOf(string name);

    /// <summary>The run-time entry address of the function named <paramref name="name"/> (its ELF symbol), or null when no loaded module defines it.</summary>
    ulong? FunctionAddress(string name) => null;
}
