using TrapDebugger.Targets;
using TrapDebugger.Remote.Client;

namespace TrapDebugger.Cli.Remote;

/// <summary>The platform a command works on: this machine, or the agent that <c>--remote "CMD"</c> starts.</summary>
public static class RemoteConnector
{
    /// <summary>This machine's platform (each process traced by a guardian, <see cref="Running.Platforms.Local"/>) when
    /// <paramref name="remoteCommand"/> is null, else a connection to the agent it starts (to be disposed by the caller
    /// unless a target took it).</summary>
    /// <exception cref="TargetException">The agent cannot be started or does not answer; the message says why.</exception>
    public static async Task<ITargetPlatform> ConnectAsync(string? remoteCommand, CancellationToken cancellationToken)
    {
        if (remoteCommand is null)
            return Running.Platforms.Local();
        IReadOnlyList<string> argv;
        try
        {
            argv = RemoteEndpoint.SplitCommand(remoteCommand);
        }
        catch (ArgumentException e)
        {
            throw new TargetException($"--remote: {e.Message}.");
        }
        if (argv.Count == 0)
            throw new TargetException("--remote needs a command that starts 'trapdbg agent --stdio' (for example \"ssh host trapdbg agent --stdio\").");
        return await RemotePlatform.ConnectAsync(new RemoteEndpoint { Pipe = argv }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes <paramref name="platform"/> when it is a remote one that no target took.</summary>
    public static async Task ReleaseAsync(ITargetPlatform platform)
    {
        if (platform is IAsyncDisposable disposable)
            await disposable.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>" on HOST" for a remote platform, empty for this machine: the tail of a sentence.</summary>
    public static string Where(ITargetPlatform platform) =>
        platform is RemotePlatform remote ? $" on {remote.Name}" : "";

    /// <summary>The <c>--remote</c> option's description.</summary>
    public const string OptionDescription =
        "Debug on another host or in a container: a command whose stdin/stdout reach 'trapdbg agent --stdio' (e.g. \"ssh host trapdbg agent --stdio\").";
}
