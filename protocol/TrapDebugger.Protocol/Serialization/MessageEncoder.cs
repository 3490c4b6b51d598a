using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TrapDebugger.Protocol.Messages;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Serializes outgoing messages and typed bodies with the source-generated metadata.</summary>
public static class MessageEncoder
{
    /// <summary>Serializes a response to UTF-8 JSON.</summary>
    public static byte[] Encode(Response response) => JsonSerializer.SerializeToUtf8Bytes(response, ProtocolJsonContext.Default.Response);

    /// <summary>Serializes an event to UTF-8 JSON.</summary>
    public static byte[] Encode(Event @event) => JsonSerializer.SerializeToUtf8Bytes(@event, ProtocolJsonContext.Default.Event);

    /// <summary>Serializes a request (a reverse request, or a client's request in tests) to UTF-8 JSON.</summary>
    public static byte[] Encode(Request request) => JsonSerializer.SerializeToUtf8Bytes(request, ProtocolJsonContext.Default.Request);

    /// <summary>Turns a typed body into the JSON element carried by a message.</summary>
    public static JsonElement ToElement<T>(T body, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToElement(body, typeInfo);
}
