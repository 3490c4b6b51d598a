namespace TrapDebugger.Protocol.Framing;

/// <summary>Bounds on what a peer may send, so a broken or hostile client cannot make the adapter allocate without limit.</summary>
/// <param name="MaxMessageBytes">Largest accepted <c>Content-Length</c>; larger bodies are skipped as they arrive, never buffered.</param>
/// <param name="MaxHeaderBytes">Largest header block; bytes without a header end within this many are discarded.</param>
public readonly record struct FrameLimits(int MaxMessageBytes, int MaxHeaderBytes)
{
    /// <summary>16 MiB messages, 8 KiB headers.</summary>
    public static FrameLimits Default { get; } = new(16 * 1024 * 1024, 8 * 1024);

    /// <summary>How long a message whose body is incomplete may go without a byte arriving before it is discarded
    /// (a <c>Content-Length</c> larger than the body sent would otherwise stall the connection for good).</summary>
    public TimeSpan BodyTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
