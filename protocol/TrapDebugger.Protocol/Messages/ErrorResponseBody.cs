namespace TrapDebugger.Protocol.Messages;

/// <summary>Body of a failed response: the structured error the client may show to the user.</summary>
public sealed class ErrorResponseBody
{
    /// <summary>The error, with a format string and its variables.</summary>
    public Message? Error { get; set; }
}

/// <summary>A structured error message (DAP <c>Message</c>): a format string with <c>{name}</c> placeholders.</summary>
public sealed class Message
{
    /// <summary>Unique identifier of the message kind.</summary>
    public int Id { get; set; }

    /// <summary>The text, with <c>{name}</c> placeholders filled from <see cref="Variables"/>.</summary>
    public string Format { get; set; } = "";

    /// <summary>Values for the placeholders in <see cref="Format"/>.</summary>
    public Dictionary<string, string>? Variables { get; set; }

    /// <summary>Whether the message may be sent to telemetry.</summary>
    public bool? SendTelemetry { get; set; }

    /// <summary>Whether the client should show the message to the user.</summary>
    public bool? ShowUser { get; set; }

    /// <summary>A URL with more information.</summary>
    public string? Url { get; set; }

    /// <summary>Label for <see cref="Url"/>.</summary>
    public string? UrlLabel { get; set; }
}

/// <summary>The short reasons DAP defines for <see cref="Response.Message"/>.</summary>
public static class ResponseMessages
{
    /// <summary>The request was cancelled by a <c>cancel</c> request.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The request needs a stopped debuggee.</summary>
    public const string NotStopped = "notStopped";
}
