namespace TrapDebugger.Remote.Client;

/// <summary>Where the agent is: a command whose stdin/stdout reach <c>trapdbg agent --stdio</c> (ssh, docker exec,
/// kubectl exec), or a TCP address with the file that holds its token.</summary>
public sealed record RemoteEndpoint
{
    /// <summary>The command and its arguments, run without a shell.</summary>
    public IReadOnlyList<string>? Pipe { get; init; }

    /// <summary>host:port of an agent started with --listen.</summary>
    public string? Address { get; init; }

    /// <summary>The file whose first line is the agent's token (with <see cref="Address"/>).</summary>
    public string? TokenFile { get; init; }

    /// <summary>The token itself, when it is not read from a file.</summary>
    public string? Token { get; init; }

    /// <summary>Directories of local files to prefer over the agent's copies when their build-id matches.</summary>
    public IReadOnlyList<string> LocalFileDirectories { get; init; } = [];

    /// <summary>Where files fetched from agents are kept by build-id; null for the user's cache directory.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>A short description for messages: the command line or the address.</summary>
    public string Describe() => Pipe is { Count: > 0 } p ? string.Join(' ', p) : Address ?? "(no agent)";

    /// <summary>Splits a command line the way a POSIX shell splits words (quotes and backslashes; no expansion), for
    /// <c>--remote "ssh host trapdbg agent --stdio"</c>.</summary>
    /// <exception cref="ArgumentException">A quote is not closed.</exception>
    public static IReadOnlyList<string> SplitCommand(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0'; else current.Append(c);
            }
            else if (quote == '"')
            {
                if (c == '"') quote = '\0';
                else if (c == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`') current.Append(command[++i]);
                else current.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < command.Length)
            {
                current.Append(command[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (quote != '\0')
            throw new ArgumentException($"the command '{command}' has an unclosed {quote} quote");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
