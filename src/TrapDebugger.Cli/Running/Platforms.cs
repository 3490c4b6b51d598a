using TrapDebugger.Native;
using TrapDebugger.Native.Guardian;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Running;

/// <summary>Where trapdbg's processes come from: this machine, each traced by a guardian process (this executable's
/// <c>guardian</c> command) so that trapdbg's own death leaves the program whole.</summary>
public static class Platforms
{
    /// <summary>Set to 0 to trace inside trapdbg itself, without a guardian (the program then dies with trapdbg if a
    /// breakpoint is in it).</summary>
    public const string GuardianVariable = "TRAPDBG_GUARDIAN";

    /// <summary>The platform for a session; <paramref name="launchedOnLoss"/> is what becomes of a launched program if trapdbg
    /// dies without ending it.</summary>
    public static ITargetPlatform Local(LossPolicy launchedOnLoss = LossPolicy.Kill) =>
        GuardianCommand() is { } command
            ? new GuardedPlatform(command) { LaunchedProgramOnLoss = launchedOnLoss }
            : LocalPlatform.Instance;

    /// <summary>The command that runs this executable's guardian, or null when guardians are turned off or this is not a
    /// trapdbg executable (a test host).</summary>
    public static IReadOnlyList<string>? GuardianCommand()
    {
        if (Environment.GetEnvironmentVariable(GuardianVariable) == "0") return null;
        if (System.Reflection.Assembly.GetEntryAssembly() != typeof(Platforms).Assembly || Environment.ProcessPath is not { } path) return null;
        // `dotnet trapdbg.dll` runs the assembly beside this code through the host.
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
            return [path, Path.Combine(AppContext.BaseDirectory, "trapdbg.dll"), Commands.GuardianCommand.Name];
        return [path, Commands.GuardianCommand.Name];
    }
}
