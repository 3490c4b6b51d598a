namespace TrapDebugger.Protocol.Framing;

/// <summary>What a <see cref="FrameReader"/> read: a message payload, a refused or malformed frame, or the end of the stream.</summary>
public readonly record struct Frame
{
    /// <summary>The JSON payload of a well-framed message; also set on a refused frame whose body was read, so the
    /// refusal can be answered as an error response to that request.</summary>
    public byte[]? Payload { get; private init; }

    /// <summary>One sentence saying why a frame was refused or could not be read; the stream stays usable.</summary>
    public string? Error { get; private init; }

    /// <summary>The frame was refused because of what it is (an HTTP request, a browser's <c>Origin</c> header), not
    /// because it was damaged: a network server closes such a connection.</summary>
    public bool IsRefusal { get; private init; }

    /// <summary>The peer closed the stream.</summary>
    public bool IsEndOfStream { get; private init; }

    /// <summary>A well-framed message.</summary>
    public static Frame Message(byte[] payload) => new() { Payload = payload };

    /// <summary>A frame that was refused or malformed.</summary>
    public static Frame Malformed(string error) => new() { Error = error };

    /// <summary>A malformed frame whose body could still be read (for example one with two equal <c>Content-Length</c> headers).</summary>
    public static Frame Malformed(string error, byte[] payload) => new() { Error = error, Payload = payload };

    /// <summary>A frame refused for what it is (see <see cref="IsRefusal"/>).</summary>
    public static Frame Refused(string error) => new() { Error = error, IsRefusal = true };

    /// <summary>The end of the stream.</summary>
    public static Frame EndOfStream { get; } = new() { IsEndOfStream = true };
}
