using System.Text;
using TrapDebugger.Adapter.Handlers.Process;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>The Debug Console's command set: a line that starts with the command prefix (a backtick by default, as in
/// lldb-dap) is a command, everything else an expression, so the two never collide.</summary>
/// <remarks>Commands use gdb's words (<c>bt</c>, <c>x/8gx $rsp</c>, <c>info registers</c>, <c>frame 2</c>); <c>help</c>
/// lists them. A multi-word command matches whole words, the longest spelling first.</remarks>
public static class ConsoleCommands
{
    /// <summary>Every command, in the order <c>help</c> lists them.</summary>
    public static IReadOnlyList<ConsoleCommand> All { get; } =
    [
        .. StackCommands.All,
        .. DataCommands.All,
        .. CodeCommands.All,
        new("help", ["h"], "help [COMMAND]", "List the commands, or explain one.", "", Help),
    ];

    private static readonly (string Spelling, ConsoleCommand Command)[] Spellings =
        [.. All.SelectMany(c => c.Spellings.Select(s => (s, c))).OrderByDescending(p => p.s.Length)];

    /// <summary>The command <paramref name="text"/> (without the prefix) names, with its parsed line; null when none does.</summary>
    public static (ConsoleCommand Command, CommandLine Line)? Parse(string text)
    {
        var line = text.Trim();
        foreach (var (spelling, command) in Spellings)
        {
            if (!line.StartsWith(spelling, StringComparison.Ordinal))
                continue;
            var rest = line[spelling.Length..];
            string? format = null;
            if (command.TakesFormat && rest.StartsWith('/'))
            {
                int end = rest.IndexOfAny([' ', '\t']);
                format = end < 0 ? rest[1..] : rest[1..end];
                rest = end < 0 ? "" : rest[end..];
            }
            else if (rest.Length > 0 && !char.IsWhiteSpace(rest[0]))
                continue;
            return (command, new CommandLine(spelling, format, rest.Trim()));
        }
        return null;
    }

    /// <summary>Runs the command line <paramref name="text"/> (without the prefix) in <paramref name="context"/>.</summary>
    /// <exception cref="CommandFailedException">The line names no command, or the command failed; the message says why.</exception>
    public static async Task<CommandResult> RunAsync(CommandContext context, string text)
    {
        if (text.Trim().Length == 0)
            return await Help(context, new CommandLine("help", null, "")).ConfigureAwait(false);
        if (Parse(text) is not { } parsed)
        {
            var word = text.Trim().Split(' ', 2)[0];
            throw new CommandFailedException($"Undefined command: '{word}'. Try 'help'.");
        }
        var (command, line) = parsed;
        try
        {
            return await command.Run(context, line).ConfigureAwait(false);
        }
        catch (Exception e) when (EngineFailure.IsUserFacing(e))
        {
            throw new CommandFailedException(Sentence(e.Message));
        }
    }

    /// <summary>The names of the commands whose spellings start with <paramref name="prefix"/>, with their summaries.</summary>
    public static IEnumerable<(string Spelling, string Summary)> Complete(string prefix) =>
        All.SelectMany(c => c.Spellings.Select(s => (s, c.Summary))).Where(p => p.s.StartsWith(prefix, StringComparison.Ordinal) && p.s != prefix);

    private static Task<CommandResult> Help(CommandContext context, CommandLine line)
    {
        var text = new StringBuilder();
        string prefix = context.State.CommandPrefix;
        if (line.Arguments.Length > 0)
        {
            if (Parse(line.Arguments) is not { Command: var command })
                throw new CommandFailedException($"No command is named '{line.Arguments}'. Try 'help'.");
            text.Append(prefix).Append(command.Usage).Append('\n').Append(command.Summary);
            if (command.Aliases.Count > 0)
                text.Append("\nAlso: ").AppendJoin(", ", command.Aliases.Select(a => prefix + a)).Append('.');
            if (command.Help.Length > 0)
                text.Append('\n').Append(command.Help);
            return Task.FromResult(new CommandResult(text.ToString()));
        }
        text.Append(prefix.Length > 0
            ? $"Debug Console commands start with {prefix} (anything else is an expression). gdb's words:\n"
            : "Debug Console commands (every line is a command; print expressions with 'p'):\n");
        int width = All.Max(c => c.Usage.Length) + prefix.Length + 2;
        foreach (var command in All)
            text.Append("  ").Append((prefix + command.Usage).PadRight(width)).Append(command.Summary).Append('\n');
        text.Append($"'{prefix}help COMMAND' explains one.");
        return Task.FromResult(new CommandResult(text.ToString()));
    }

    private static string Sentence(string message)
    {
        var text = message.TrimEnd();
        if (text.Length > 0)
            text = char.ToUpperInvariant(text[0]) + text[1..];
        return text.EndsWith('.') || text.EndsWith('?') || text.EndsWith('!') ? text : text + ".";
    }
}
