namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>Runs one console command: the parsed line in, the text to show (and something to expand) out.</summary>
public delegate Task<CommandResult> CommandAction(CommandContext context, CommandLine line);

/// <summary>One Debug Console command, named with gdb users' words.</summary>
/// <param name="Name">The command as <c>help</c> lists it (may be several words: <c>info registers</c>).</param>
/// <param name="Aliases">Other spellings gdb accepts (<c>backtrace</c>, <c>where</c> for <c>bt</c>).</param>
/// <param name="Usage">The command line pattern, e.g. <c>x/NFU ADDRESS</c>.</param>
/// <param name="Summary">One line for the command list.</param>
/// <param name="Help">What <c>help NAME</c> adds below the usage.</param>
/// <param name="Run">The implementation.</param>
/// <param name="TakesFormat">True when a <c>/FMT</c> suffix may follow the name (<c>p/x</c>, <c>x/8gx</c>).</param>
public sealed record ConsoleCommand(string Name, IReadOnlyList<string> Aliases, string Usage, string Summary, string Help, CommandAction Run,
    bool TakesFormat = false)
{
    /// <summary>Every spelling, the name first.</summary>
    public IEnumerable<string> Spellings => Aliases.Prepend(Name);
}

/// <summary>A command line split into the command, its <c>/FMT</c> suffix and the rest.</summary>
/// <param name="Command">The spelling that matched.</param>
/// <param name="Format">What followed a <c>/</c> right after the command (<c>8gx</c> in <c>x/8gx</c>), or null.</param>
/// <param name="Arguments">The rest of the line, trimmed.</param>
public readonly record struct CommandLine(string Command, string? Format, string Arguments);

/// <summary>What a command shows: its text, and for a value a reference the client can expand.</summary>
/// <param name="Text">The output, lines separated by "\n", without a trailing newline.</param>
/// <param name="VariablesReference">The value's children (0: none).</param>
/// <param name="Type">The value's type, when the command printed a value.</param>
public sealed record CommandResult(string Text, int VariablesReference = 0, string? Type = null);

/// <summary>A command that cannot do what it was asked; the message is shown in the Debug Console, not as a pop-up.</summary>
public sealed class CommandFailedException(string message) : Exception(message);
