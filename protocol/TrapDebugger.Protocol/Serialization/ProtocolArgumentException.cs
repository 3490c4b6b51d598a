namespace TrapDebugger.Protocol.Serialization;

/// <summary>A request's arguments do not have the shape the protocol defines; the message is one sentence for the user.</summary>
public sealed class ProtocolArgumentException : Exception
{
    /// <summary>Creates the exception with a one-sentence message.</summary>
    public ProtocolArgumentException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a one-sentence message and the underlying JSON error.</summary>
    public ProtocolArgumentException(string message, Exception inner) : base(message, inner)
    {
    }
}
