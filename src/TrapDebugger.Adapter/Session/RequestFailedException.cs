namespace TrapDebugger.Adapter.Session;

/// <summary>A request failed for a reason the user can act on; the message (one sentence) becomes the DAP error response.</summary>
public class RequestFailedException : Exception
{
    /// <summary>Creates the failure with a one-sentence message.</summary>
    public RequestFailedException(string message) : base(message)
    {
    }

    /// <summary>Creates the failure with a one-sentence message and its cause.</summary>
    public RequestFailedException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Identifier of the message kind, sent as <c>body.error.id</c>.</summary>
    public int ErrorId { get; init; } = ErrorIds.RequestFailed;
}

/// <summary>The <c>body.error.id</c> values this adapter sends, so clients and tests can tell failures apart.</summary>
public static class ErrorIds
{
    /// <summary>A request failed for a domain reason (bad launch options, no such thread…).</summary>
    public const int RequestFailed = 1000;

    /// <summary>The frame or its JSON envelope could not be read.</summary>
    public const int MalformedMessage = 1001;

    /// <summary>The command is not known or not (yet) implemented.</summary>
    public const int UnknownCommand = 1002;

    /// <summary>An argument has the wrong type.</summary>
    public const int InvalidArguments = 1003;

    /// <summary>The connection did not authenticate.</summary>
    public const int AuthenticationFailed = 1004;

    /// <summary>The request came in the wrong order (e.g. before <c>initialize</c>).</summary>
    public const int OutOfOrder = 1005;

    /// <summary>An unexpected failure inside the adapter.</summary>
    public const int InternalError = 1099;
}
