using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace TrapDebugger.Remote.Wire;

/// <summary>A JSON-RPC connection whose errors carry only a code and the one sentence of the exception's message: no
/// stack trace or type name crosses the wire, and no error data needs a serializer shape.</summary>
internal sealed class WireRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
{
    /// <inheritdoc/>
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var inner = exception is System.Reflection.TargetInvocationException { InnerException: { } e } ? e : exception;
        return new JsonRpcError.ErrorDetail
        {
            Code = inner is ArgumentException or FormatException ? JsonRpcErrorCode.InvalidParams : JsonRpcErrorCode.InvocationError,
            Message = inner.Message,
        };
    }
}
