using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace TrapDebugger.Protocol.Framing;

/// <summary>Reads <c>Content-Length</c>-framed DAP messages from a pipe, surviving malformed, oversized and refused frames.</summary>
/// <remarks>
/// Header names are case-insensitive and headers other than <c>Content-Length</c> are ignored, except <c>Origin</c>:
/// browsers add it to every cross-origin request, and a web page must never reach a debugger, so a frame carrying it
/// is refused. Oversized bodies are skipped as they stream in, so the declared length is never allocated.
/// </remarks>
public sealed class FrameReader
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    private readonly PipeReader input;
    private readonly FrameLimits limits;
    private readonly Queue<Frame> pending = new();
    private long bytesToSkip;
    private bool discardingGarbage;

    /// <summary>Reads frames from <paramref name="input"/> within <paramref name="limits"/>.</summary>
    public FrameReader(PipeReader input, FrameLimits limits)
    {
        this.input = input;
        this.limits = limits;
    }

    /// <summary>Reads the next frame; returns <see cref="Frame.EndOfStream"/> once the peer has closed the stream.</summary>
    public async ValueTask<Frame> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (pending.TryDequeue(out var queued))
            return queued;
        int? bodyLength = null;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;

            if (bytesToSkip > 0)
            {
                long skipped = Math.Min(bytesToSkip, buffer.Length);
                bytesToSkip -= skipped;
                buffer = buffer.Slice(skipped);
            }

            if (bytesToSkip == 0 && bodyLength is null)
            {
                var reader = new SequenceReader<byte>(buffer);
                if (reader.TryReadTo(out ReadOnlySequence<byte> header, HeaderEnd, advancePastDelimiter: true))
                {
                    buffer = buffer.Slice(reader.Position);
                    if (header.Length > limits.MaxHeaderBytes)
                    {
                        input.AdvanceTo(buffer.Start);
                        bool reported = discardingGarbage;
                        discardingGarbage = false;
                        if (reported)
                            continue;
                        return Frame.Malformed($"Discarded data that is not a DAP message: no header end within {limits.MaxHeaderBytes} bytes.");
                    }
                    discardingGarbage = false;
                    var parsed = ParseHeader(header);
                    if (parsed.Garbage is not null)
                        pending.Enqueue(Frame.Malformed(parsed.Garbage));
                    if (parsed.Error is not null)
                    {
                        bytesToSkip = parsed.ContentLength ?? 0;
                        long skipped = Math.Min(bytesToSkip, buffer.Length);
                        bytesToSkip -= skipped;
                        input.AdvanceTo(buffer.GetPosition(skipped));
                        pending.Enqueue(Frame.Malformed(parsed.Error));
                        return pending.Dequeue();
                    }
                    bodyLength = parsed.ContentLength;
                }
                else if (buffer.Length > limits.MaxHeaderBytes)
                {
                    // Keep the last bytes: they may be the start of a header end split across reads.
                    var keep = buffer.Slice(buffer.Length - (HeaderEnd.Length - 1));
                    input.AdvanceTo(keep.Start, buffer.End);
                    if (!discardingGarbage)
                    {
                        discardingGarbage = true;
                        return Frame.Malformed($"Discarded data that is not a DAP message: no header end within {limits.MaxHeaderBytes} bytes.");
                    }
                    continue;
                }
            }

            if (bodyLength is int length && buffer.Length >= length)
            {
                var payload = buffer.Slice(0, length).ToArray();
                input.AdvanceTo(buffer.GetPosition(length));
                if (pending.Count > 0)
                {
                    pending.Enqueue(Frame.Message(payload));
                    return pending.Dequeue();
                }
                return Frame.Message(payload);
            }

            if (result.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                if (pending.TryDequeue(out var last))
                    return last;
                bool partial = bodyLength is not null || (buffer.Length > 0 && !discardingGarbage && bytesToSkip == 0);
                if (partial && bodyLength is int expected)
                {
                    bodyLength = null;
                    pending.Enqueue(Frame.EndOfStream);
                    return Frame.Malformed($"The stream ended after {buffer.Length} of the {expected} bytes the message declared.");
                }
                if (partial)
                {
                    pending.Enqueue(Frame.EndOfStream);
                    return Frame.Malformed("The stream ended inside a message header.");
                }
                return Frame.EndOfStream;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private readonly record struct ParsedHeader(int? ContentLength, string? Error, string? Garbage);

    private ParsedHeader ParseHeader(ReadOnlySequence<byte> header)
    {
        string text = Encoding.Latin1.GetString(header);
        long? contentLength = null;
        bool origin = false;
        bool badLength = false;
        string? garbage = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            int colon = line.IndexOf(':');
            string name = colon < 0 ? "" : line[..colon].Trim();
            string value = colon < 0 ? "" : line[(colon + 1)..].Trim();
            if (name.EndsWith("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (name.Length != "Content-Length".Length)
                    garbage = "Ignored data that is not a DAP header before a Content-Length header.";
                if (long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
                    contentLength = n;
                else
                    badLength = true;
            }
            else if (name.Equals("Origin", StringComparison.OrdinalIgnoreCase))
                origin = true;
            else if (colon <= 0 || !IsToken(name))
                garbage = "Ignored data that is not a DAP header.";
        }

        int? skip = contentLength is long l && l <= int.MaxValue ? (int)l : null;
        if (badLength)
            return new(null, "The Content-Length header is not a non-negative decimal number.", null);
        if (contentLength is null)
            return new(null, "The message has no Content-Length header.", null);
        if (origin)
            return new(skip, "Refused a message with an Origin header: web pages may not talk to the debugger.", garbage);
        if (contentLength > limits.MaxMessageBytes)
        {
            // Skip the declared body as it arrives (bounded memory); lengths past int.MaxValue cannot be skipped reliably.
            if (skip is null)
                return new(null, $"The message declares {contentLength} bytes, more than the {limits.MaxMessageBytes}-byte limit.", garbage);
            return new(skip, $"The message declares {contentLength} bytes, more than the {limits.MaxMessageBytes}-byte limit; it was skipped.", garbage);
        }
        return new((int)contentLength, null, garbage);
    }

    private static bool IsToken(string name)
    {
        foreach (char c in name)
        {
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c))
                return false;
        }
        return name.Length > 0;
    }
}
