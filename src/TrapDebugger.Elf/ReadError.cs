namespace TrapDebugger.Elf;

/// <summary>Names the file in a reader's error: the readers of sections say which section and offset is bad, and whoever
/// knows which file those sections came from adds it, so the user reads one sentence with both.</summary>
public static class ReadError
{
    /// <summary>The error with <paramref name="file"/> in front of its message, when the message names only a section
    /// (it starts with the section's name, ".debug_info at offset 0x…"); otherwise the error itself.</summary>
    public static InvalidDataException InFile(string? file, InvalidDataException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return file is { Length: > 0 } && NamesOnlyASection(error.Message) ? new InvalidDataException($"{file}: {error.Message}", error) : error;
    }

    /// <summary>One sentence for <paramref name="error"/> met while reading <paramref name="file"/>, naming the file.</summary>
    public static string Describe(string file, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error is InvalidDataException data ? InFile(file, data).Message : error.Message;
        return message.TrimEnd('.', ' ') + ".";
    }

    private static bool NamesOnlyASection(string message) => message.StartsWith('.');
}
