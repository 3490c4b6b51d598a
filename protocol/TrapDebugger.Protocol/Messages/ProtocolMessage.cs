using System.Text.Json;

namespace TrapDebugger.Protocol.Messages;

/// <summary>The DAP base message: every request, response and event carries a sequence number and a type.</summary>
public abstract class ProtocolMessage
{
    /// <summary>Sequence number of this message, unique and increasing per sender.</summary>
    public int Seq { get; set; }

    /// <summary>Message type: <c>request</c>, <c>response</c> or <c>event</c>.</summary>
    public abstract string Type { get; }
}

/// <summary>The values of <see cref="ProtocolMessage.Type"/>.</summary>
public static class MessageTypes
{
    /// <summary>A client or reverse request.</summary>
    public const string Request = "request";

    /// <summary>A response to a request.</summary>
    public const string Response = "response";

    /// <summary>An event sent by the adapter.</summary>
    public const string Event = "event";
}

/// <summary>A request: a command with optional arguments, whose typed form is looked up by command name.</summary>
public sealed class Request : ProtocolMessage
{
    /// <inheritdoc/>
    public override string Type => MessageTypes.Request;

    /// <summary>The command to execute, e.g. <c>setBreakpoints</c>.</summary>
    public string Command { get; set; } = "";

    /// <summary>The raw arguments object, decoded by the handler of <see cref="Command"/>.</summary>
    public JsonElement? Arguments { get; set; }
}

/// <summary>A response to a request; <see cref="Body"/> holds the command's typed body, already serialized.</summary>
public sealed class Response : ProtocolMessage
{
    /// <inheritdoc/>
    public override string Type => MessageTypes.Response;

    /// <summary>Sequence number of the request this answers.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("request_seq")]
    public int RequestSeq { get; set; }

    /// <summary>Whether the request succeeded; when false, <see cref="Message"/> says why.</summary>
    public bool Success { get; set; }

    /// <summary>The command of the request this answers.</summary>
    public string Command { get; set; } = "";

    /// <summary>Short machine-readable failure reason (<c>cancelled</c>, <c>notStopped</c>) or a one-sentence error.</summary>
    public string? Message { get; set; }

    /// <summary>The command-specific body, or for errors an <see cref="ErrorResponseBody"/>.</summary>
    public JsonElement? Body { get; set; }
}

/// <summary>An event sent by the adapter: a name and an optional typed body, already serialized.</summary>
public sealed class Event : ProtocolMessage
{
    /// <inheritdoc/>
    public override string Type => MessageTypes.Event;

    /// <summary>The event's name, e.g. <c>stopped</c> (serialized as <c>event</c>).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("event")]
    public string EventName { get; set; } = "";

    /// <summary>The event-specific body.</summary>
    public JsonElement? Body { get; set; }
}
