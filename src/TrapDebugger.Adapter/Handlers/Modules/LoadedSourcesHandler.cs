using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Modules;

/// <summary><c>loadedSources</c>: the primary source file of every compile unit of the program (shared libraries' units are
/// left out: glibc's debug file alone has thousands).</summary>
public sealed class LoadedSourcesHandler() : EngineRequestHandler<LoadedSourcesArguments, LoadedSourcesResponseBody>(
    Commands.LoadedSources, ProtocolJsonContext.Default.LoadedSourcesArguments, ProtocolJsonContext.Default.LoadedSourcesResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsLoadedSourcesRequest = true;

    /// <inheritdoc/>
    protected override Task<LoadedSourcesResponseBody?> HandleAsync(LoadedSourcesArguments arguments, RequestContext context, EngineState state)
    {
        var body = new LoadedSourcesResponseBody();
        var program = state.RequireDebuggee(Command).Process.Target.MainProgram;
        foreach (var path in program?.CompileUnitSources() ?? [])
        {
            if (SourceTranslation.ToSource(path, state.Paths) is { } source)
                body.Sources.Add(source);
        }
        return Task.FromResult<LoadedSourcesResponseBody?>(body);
    }
}
