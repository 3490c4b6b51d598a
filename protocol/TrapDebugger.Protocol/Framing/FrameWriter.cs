using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace TrapDebugger.Protocol.Framing;

/// <summary>Writes one <c>Content-Length</c>-framed message; callers serialize access (one writer at a time).</summary>
public static class FrameWriter
{
    /// <summary>Writes the header and <paramref name="payload"/> and flushes.</summary>
    public static async ValueTask WriteAsync(PipeWriter output, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        WriteFrame(output, payload.Span);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        string header = $"Content-Length: {payload.Length}\r\n\r\n";
        var span = output.GetSpan(header.Length);
        int written = Encoding.ASCII.GetBytes(header, span);
        output.Advance(written);
        output.Write(payload);
    }
}
