using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace TrapDebugger.Cli.Usage;

/// <summary>Makes the help of every command end with an "Exit status:" section listing <see cref="ExitStatus.Meanings"/>.</summary>
public static class ExitStatusHelp
{
    /// <summary>Wraps the help action of <paramref name="root"/>'s help option, which every subcommand shares.</summary>
    public static void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                // Asking Console for the width would initialise the terminal (see TerminalWriters).
                help.MaxWidth = Rendering.TerminalWriters.Width ?? int.MaxValue;
                helpOption.Action = new HelpWithExitStatus(help);
            }
        }
    }

    /// <summary>Writes the section as help writes its own: a heading, then two indented, aligned columns.</summary>
    public static void Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var width = ExitStatus.Meanings.Max(m => m.Status.Length);
        output.WriteLine("Exit status:");
        foreach (var (status, meaning) in ExitStatus.Meanings) output.WriteLine($"  {status.PadRight(width)}  {meaning}");
        output.WriteLine();
    }

    // System.CommandLine keeps its help layout internal: the section is written after the help it prints.
    private sealed class HelpWithExitStatus(HelpAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var status = help.Invoke(parseResult);
            Write(parseResult.InvocationConfiguration.Output);
            return status;
        }
    }
}
