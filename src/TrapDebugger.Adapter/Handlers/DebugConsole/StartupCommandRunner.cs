using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Protocol.Events;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>Runs the console commands a launch configuration lists (<c>initCommands</c>, <c>preRunCommands</c>,
/// <c>stopCommands</c>), echoing each and its output in the Debug Console.</summary>
/// <remarks>The commands are written as they would be typed, with or without the command prefix. A failing command
/// prints its error and the next one runs: a startup command is a convenience, not a reason to refuse to debug.</remarks>
public static class StartupCommandRunner
{
    /// <summary>Runs <paramref name="commands"/> in order.</summary>
    public static async Task RunAsync(EngineState state, IReadOnlyList<string> commands)
    {
        var connection = state.Session.Connection;
        foreach (var command in commands)
        {
            var text = state.CommandPrefix.Length > 0 && command.StartsWith(state.CommandPrefix, StringComparison.Ordinal)
                ? command[state.CommandPrefix.Length..]
                : command;
            await connection.SendOutputAsync(OutputCategories.Console, $"{state.CommandPrefix}{text.Trim()}\n").ConfigureAwait(false);
            string output;
            try
            {
                output = (await ConsoleCommands.RunAsync(new CommandContext(state, null, CancellationToken.None), text).ConfigureAwait(false)).Text;
            }
            catch (CommandFailedException e)
            {
                output = $"error: {e.Message}";
            }
            if (output.Length > 0)
                await connection.SendOutputAsync(OutputCategories.Console, output + "\n").ConfigureAwait(false);
        }
    }
}
