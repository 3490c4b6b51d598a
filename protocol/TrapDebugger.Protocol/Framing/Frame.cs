namespace TrapDebugger.Protocol.Framing;

/// <summary>What a <see cref="FrameReader"/> read: a message payload, a refused or malformed frame, or the end of the stream.</summary>
public readonly record struct Frame
{
    /// <summary>The JSON payload of a well-framed message.</summary>
    public byte[]? Payload { get; private init; }

    /// <summary>One sentence saying why a frame was refused or could not be read; the stream stays usable.</summary>
    public string? Error { get; private init; }

    /// <summary>The peer closed the stream.</summary>
    public bool IsEndOfStream { get; private init; }

    /// <summary>A well-framed message.</summary>
    public static Frame Message(byte[] payload) => new() { Payload = payload };

    /// <summary>A frame that was refused or malformed.</summary>
    public static Frame Malformed(string error) => new() { Error = error };

    /// <summary>The end of the stream.</summary>
    public static Frame EndOfStream { get; } = new() { IsEndOfStream = true };
}
