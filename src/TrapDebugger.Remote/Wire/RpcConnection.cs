using System.IO.Pipelines;
using StreamJsonRpc;
using TrapDebugger.Remote.Contract;

namespace TrapDebugger.Remote.Wire;

/// <summary>Makes the JSON-RPC connections of both ends the same way: JSON-RPC 2.0 messages encoded as MessagePack by
/// <see cref="NerdbankMessagePackFormatter"/> with source-generated shapes (<see cref="WireShapes"/>), in
/// length-prefixed frames (<see cref="GuardedMessageHandler"/>).</summary>
/// <remarks>StreamJsonRpc's <see cref="SystemTextJsonFormatter"/> is marked as needing reflection and dynamic code even
/// with a source-generated context, so a Native AOT build would warn; the MessagePack formatter needs neither
/// (docs/native-aot.md).</remarks>
internal static class RpcConnection
{
    /// <summary>Agent protocol version this build speaks.</summary>
    public const int ProtocolVersion = 1;

    public static JsonRpc Create(PipeReader input, PipeWriter output, out GuardedMessageHandler handler)
    {
        var formatter = new NerdbankMessagePackFormatter { TypeShapeProvider = WireShapes.GeneratedTypeShapeProvider };
        handler = new GuardedMessageHandler(output, input, formatter);
        return new WireRpc(handler);
    }

    public static JsonRpc Create(Stream input, Stream output, out GuardedMessageHandler handler) =>
        Create(PipeReader.Create(input), PipeWriter.Create(output), out handler);
}
