using TrapDebugger.Engine.Variables;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Variables;

/// <summary>Engine variable rows as DAP variables.</summary>
public static class VariableTranslation
{
    /// <summary>The DAP row for <paramref name="info"/>.</summary>
    public static Variable ToDap(VariableInfo info) => new()
    {
        Name = info.Name,
        Value = info.Value,
        Type = info.Type,
        VariablesReference = info.VariablesReference,
        IndexedVariables = info.IndexedVariables,
        NamedVariables = info.NamedVariables,
        EvaluateName = info.EvaluateName,
        MemoryReference = info.MemoryReference,
    };
}
