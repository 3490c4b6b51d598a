using System.CommandLine;
using TrapDebugger.Native.Guardian;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg guardian</c> (hidden): the process that traces a program for a debugger on this machine and lets the
/// program go whole if that debugger dies; the debugger starts it with its socket as descriptor 3.</summary>
public static class GuardianCommand
{
    /// <summary>The command's name, as the debugger starts it.</summary>
    public const string Name = "guardian";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command(Name, "Trace a program for a trapdbg debugger on this machine (started by trapdbg itself).") { Hidden = true };
        command.SetAction(_ => GuardianHost.Run());
        return command;
    }
}
