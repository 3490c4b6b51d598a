using DapModule = TrapDebugger.Protocol.Types.Module;
using EngineModule = TrapDebugger.Engine.Model.Module;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>Engine modules as DAP modules.</summary>
public static class ModuleTranslation
{
    /// <summary>The cheap description sent in <c>module</c> events (no symbol loading: that can take long for a large library).</summary>
    public static DapModule ToEventModule(EngineModule module) => new()
    {
        Id = module.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Name = module.Name,
        Path = module.Path,
        IsUserCode = module.IsMainProgram ? true : null,
    };

    /// <summary>The full description answered to <c>modules</c>: symbol status, debug file and address range.</summary>
    public static DapModule ToModule(EngineModule module)
    {
        var result = ToEventModule(module);
        bool debugInfo;
        try
        {
            debugInfo = module.HasDebugInfo;
        }
        catch (InvalidDataException)
        {
            debugInfo = false;
        }
        result.SymbolStatus = module.LoadError is { } error ? $"Symbols not loaded: {error}"
            : debugInfo ? "Symbols loaded." : module.Symbols is null ? "No symbols." : "Symbol table only (no debug information).";
        result.SymbolFilePath = module.DebugFilePath;
        result.AddressRange = $"0x{module.Start:x}-0x{module.End:x}";
        return result;
    }
}
