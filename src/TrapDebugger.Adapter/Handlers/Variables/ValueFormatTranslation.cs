using EngineValueFormat = TrapDebugger.Engine.Values.ValueFormat;

namespace TrapDebugger.Adapter.Handlers.Variables;

/// <summary>DAP's <c>ValueFormat</c> (and the value part of <c>StackFrameFormat</c>) as the engine's value format.</summary>
public static class ValueFormatTranslation
{
    /// <summary>Hexadecimal when the client asks for <c>hex</c>, else each value as its type suggests; a format suffix in
    /// an expression (<c>x,d</c>) still wins over this.</summary>
    public static EngineValueFormat Of(Protocol.Types.ValueFormat? format) =>
        format?.Hex == true ? EngineValueFormat.Hex : EngineValueFormat.Natural;
}
