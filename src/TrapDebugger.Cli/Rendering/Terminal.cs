using Spectre.Console;

namespace TrapDebugger.Cli.Rendering;

/// <summary>Makes the Spectre console a command writes to: colour on a terminal, plain text without wrapping when piped.</summary>
public static class Terminal
{
    /// <summary>A console writing to <paramref name="writer"/>; colour and styles only when <paramref name="isTerminal"/> and the
    /// user has not set <c>NO_COLOR</c>.</summary>
    public static IAnsiConsole Create(TextWriter writer, bool isTerminal) =>
        Create(writer, isTerminal, Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>A console writing to <paramref name="writer"/>; styled only on a terminal when <paramref name="noColor"/> (the
    /// value of <c>NO_COLOR</c>) is unset or empty, as https://no-color.org asks.</summary>
    public static IAnsiConsole Create(TextWriter writer, bool isTerminal, string? noColor)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // NO_COLOR means no styling at all: bold and dim are escape sequences too, not only colours.
        var styled = isTerminal && string.IsNullOrEmpty(noColor);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new Output(writer, isTerminal),
            Ansi = styled ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = styled ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
    }

    /// <summary>True when standard output is a terminal (not redirected to a file or pipe).</summary>
    public static bool StandardOutputIsTerminal => !Console.IsOutputRedirected;

    // Spectre's own output asks Console for the size and sets Console.OutputEncoding when it writes to standard output,
    // which initialises the terminal (see TerminalWriters): this one asks the kernel and leaves the encoding (UTF-8) alone.
    private sealed class Output(TextWriter writer, bool isTerminal) : IAnsiConsoleOutput
    {
        public TextWriter Writer => writer;

        public bool IsTerminal => isTerminal;

        // Piped output is read by programs and by people with wide windows: never wrap it at the default 80 columns.
        public int Width => isTerminal ? TerminalWriters.Width ?? 80 : 4096;

        public int Height => isTerminal ? TerminalWriters.Height ?? 24 : 4096;

        public void SetEncoding(System.Text.Encoding encoding)
        {
        }
    }
}
