using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Modules;

/// <summary><c>source</c>: the text of a source file named by path (the adapter hands out no source references of its own).</summary>
public sealed class SourceHandler() : EngineRequestHandler<SourceArguments, SourceResponseBody>(
    Commands.Source, ProtocolJsonContext.Default.SourceArguments, ProtocolJsonContext.Default.SourceResponseBody)
{
    private const long MaxSourceBytes = 16 << 20;

    /// <inheritdoc/>
    protected override async Task<SourceResponseBody?> HandleAsync(SourceArguments arguments, RequestContext context, EngineState state)
    {
        var path = arguments.Source?.Path;
        if (string.IsNullOrEmpty(path))
            throw new RequestFailedException($"source: source reference {arguments.SourceReference} is not known (this adapter names sources by path).");
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new RequestFailedException($"source: '{path}' does not exist on this machine.");
        if (info.Length > MaxSourceBytes)
            throw new RequestFailedException($"source: '{path}' is larger than 16 MiB.");
        try
        {
            return new SourceResponseBody { Content = await File.ReadAllTextAsync(path, context.CancellationToken).ConfigureAwait(false), MimeType = "text/plain" };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RequestFailedException($"source: '{path}' cannot be read ({e.Message}).");
        }
    }
}
