using TrapDebugger.Protocol.Messages;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>The result of decoding one frame's JSON: a request, a response to a reverse request, or a one-sentence error.</summary>
/// <remarks>When decoding fails, <see cref="Seq"/> and <see cref="Command"/> hold what could still be read, so the error can be
/// sent as an error response to that request; when the seq is unknown the error can only be reported as an event.</remarks>
public sealed class DecodedMessage
{
    /// <summary>The request, when the frame held a well-formed request.</summary>
    public Request? Request { get; init; }

    /// <summary>The response, when the frame held a response (to a reverse request).</summary>
    public Response? Response { get; init; }

    /// <summary>Why the frame could not be decoded.</summary>
    public string? Error { get; init; }

    /// <summary>The sequence number, when it could be read.</summary>
    public int? Seq { get; init; }

    /// <summary>The command, when it could be read.</summary>
    public string? Command { get; init; }
}
