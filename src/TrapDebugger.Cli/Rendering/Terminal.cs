using Spectre.Console;

namespace TrapDebugger.Cli.Rendering;

/// <summary>Makes the Spectre console a command writes to: colour on a terminal, plain text without wrapping when piped.</summary>
public static class Terminal
{
    /// <summary>A console writing to <paramref name="writer"/>; colour and styles only when <paramref name="isTerminal"/>.</summary>
    public static IAnsiConsole Create(TextWriter writer, bool isTerminal)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Piped output is read by programs and people with wide windows: never wrap it at the default 80 columns.
        if (!isTerminal) console.Profile.Width = 4096;
        return console;
    }

    /// <summary>True when standard output is a terminal (not redirected to a file or pipe).</summary>
    public static bool StandardOutputIsTerminal => !Console.IsOutputRedirected;
}
