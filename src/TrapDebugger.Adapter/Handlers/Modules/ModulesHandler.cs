using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Modules;

/// <summary><c>modules</c>: the loaded images with symbol status, debug file and address range, paged.</summary>
public sealed class ModulesHandler() : EngineRequestHandler<ModulesArguments, ModulesResponseBody>(
    Commands.Modules, ProtocolJsonContext.Default.ModulesArguments, ProtocolJsonContext.Default.ModulesResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsModulesRequest = true;

    /// <inheritdoc/>
    protected override Task<ModulesResponseBody?> HandleAsync(ModulesArguments arguments, RequestContext context, EngineState state)
    {
        var modules = state.RequireDebuggee(Command).Process.Target.Modules;
        int start = Math.Max(arguments.StartModule ?? 0, 0);
        int count = arguments.ModuleCount is int c and > 0 ? c : int.MaxValue;
        var body = new ModulesResponseBody { TotalModules = modules.Count };
        foreach (var module in modules.Skip(start).Take(count))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            body.Modules.Add(ModuleTranslation.ToModule(module));
        }
        return Task.FromResult<ModulesResponseBody?>(body);
    }
}
