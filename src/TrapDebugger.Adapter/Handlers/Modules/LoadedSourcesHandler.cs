using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Dwarf;
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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var program = state.RequireDebuggee(Command).Process.Target.MainProgram;
        if (program?.Symbols is { } symbols)
        {
            foreach (var unit in symbols.Dwarf.CompileUnits)
            {
                if (unit.Name is not { Length: > 0 } name)
                    continue;
                var directory = unit.Root.Find(DwarfAttribute.CompDir)?.AsString();
                var path = Path.IsPathRooted(name) || directory is null ? name : Path.GetFullPath(Path.Combine(directory, name));
                if (seen.Add(path) && SourceTranslation.ToSource(path, state.Paths) is { } source)
                    body.Sources.Add(source);
            }
        }
        return Task.FromResult<LoadedSourcesResponseBody?>(body);
    }
}
