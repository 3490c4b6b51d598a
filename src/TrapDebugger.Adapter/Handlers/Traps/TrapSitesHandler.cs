using System.Globalization;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Model;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Traps;

namespace TrapDebugger.Adapter.Handlers.Traps;

/// <summary><c>trapSites</c> (TrapDebugger extension): the trap instructions of a module and the checks that reach each,
/// for a loaded module (addresses as mapped) or for a <c>program</c> file without any process (file addresses).</summary>
public sealed class TrapSitesHandler() : EngineRequestHandler<TrapSitesArguments, TrapSitesResponseBody>(
    Commands.TrapSites, ProtocolJsonContext.Default.TrapSitesArguments, ProtocolJsonContext.Default.TrapSitesResponseBody)
{
    /// <inheritdoc/>
    protected override Task<TrapSitesResponseBody?> HandleAsync(TrapSitesArguments arguments, RequestContext context, EngineState state)
    {
        if (arguments.Program is { Length: > 0 } program)
        {
            var path = Path.GetFullPath(program);
            if (!File.Exists(path))
                throw new RequestFailedException($"trapSites: program '{path}' does not exist.");
            try
            {
                return Task.FromResult<TrapSitesResponseBody?>(TrapSitesBody.Of(ModuleTrapCatalog.ReadFile(path, context.CancellationToken), state.Paths));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new RequestFailedException($"trapSites: {e.Message.TrimEnd('.')}.");
            }
        }

        var debuggee = state.Debuggee
            ?? throw new RequestFailedException("trapSites: there is no process; give 'program' to list the trap sites of a file.");
        var modules = debuggee.Process.Target.Modules;
        Module? chosen = arguments.Module is not { Length: > 0 } wanted ? debuggee.Process.Target.MainProgram
            : modules.FirstOrDefault(m => m.Id.ToString(CultureInfo.InvariantCulture) == wanted)
              ?? modules.FirstOrDefault(m => m.Path == wanted)
              ?? modules.FirstOrDefault(m => m.Name == wanted);
        if (chosen is null)
            throw new RequestFailedException($"trapSites: no loaded module is '{arguments.Module}' (give a module id or path from the modules request).");
        if (chosen.Elf is null)
            throw new RequestFailedException($"trapSites: '{chosen.Path}' cannot be read as ELF{(chosen.LoadError is { } e ? $" ({e})" : "")}.");
        // The process keeps one catalog per module: a second request, or the stop analysis, does not scan the code again.
        return Task.FromResult<TrapSitesResponseBody?>(TrapSitesBody.Of(debuggee.Process.GetTrapSiteCatalog(chosen), state.Paths));
    }
}
