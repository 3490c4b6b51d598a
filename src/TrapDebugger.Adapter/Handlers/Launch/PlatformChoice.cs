using TrapDebugger.Adapter.Session;
using TrapDebugger.Remote.Client;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary>The platform a launch or attach runs on: this machine, or the remote agent its options name.</summary>
public static class PlatformChoice
{
    /// <summary>This machine's platform (<paramref name="local"/>), or a connection to the agent of <paramref name="options"/>.</summary>
    /// <exception cref="RequestFailedException">The agent cannot be started or reached; the message says why.</exception>
    public static async Task<ITargetPlatform> ConnectAsync(string request, DebuggeeOptions options, Func<ITargetPlatform> local, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (options.Remote is not { } endpoint)
            return local();
        try
        {
            return await RemotePlatform.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            throw new RequestFailedException($"{request}: {e.Message}");
        }
    }

    /// <summary>" on HOST (through the agent)" for a remote platform, empty for this machine: the tail of a sentence.</summary>
    public static string Where(ITargetPlatform platform) =>
        platform is RemotePlatform remote ? $" on {remote.Name} (through the agent)" : "";

    /// <summary>Closes <paramref name="platform"/> when it is a remote one no target took (the request failed).</summary>
    public static async Task ReleaseAsync(ITargetPlatform platform)
    {
        if (platform is IAsyncDisposable disposable)
            await disposable.DisposeAsync().ConfigureAwait(false);
    }
}
