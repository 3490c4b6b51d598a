using System.CommandLine;

namespace TrapDebugger.Cli;

/// <summary>The <c>trapdbg</c> command line: one subcommand per user task.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("TrapDebugger: tells you why a native Linux x86-64 program stopped and which check fired.");
        root.Subcommands.Add(Commands.DapCommand.Create());
        root.Subcommands.Add(Commands.LookupCommand.Create());
        root.Subcommands.Add(Commands.SymbolsCommand.Create());
        root.Subcommands.Add(Commands.RunCommand.Create());
        root.Subcommands.Add(Commands.AttachCommand.Create());
        root.Subcommands.Add(Commands.TrapsCommand.Create());
        root.Subcommands.Add(Commands.AgentCommand.Create());
        root.Subcommands.Add(Commands.PsCommand.Create());
        return root.Parse(args).Invoke();
    }
}
