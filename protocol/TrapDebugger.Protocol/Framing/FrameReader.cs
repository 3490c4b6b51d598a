using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace TrapDebugger.Protocol.Framing;

/// <summary>Reads <c>Content-Length</c>-framed DAP messages from a pipe, surviving malformed, oversized and refused frames.</summary>
/// <remarks>
/// Header names are case-insensitive and headers other than <c>Content-Length</c> are ignored, except <c>Origin</c>:
/// browsers add it to every cross-origin request, and a web page must never reach a debugger, so a frame carrying it
/// is refused, as is an HTTP request. Oversized bodies are skipped as they stream in, so the declared length is never
/// allocated. A wrong <c>Content-Length</c> must not swallow the messages after it: a JSON body cannot contain a
/// <c>Content-Length:</c> header line (JSON strings hold no raw line breaks, and the name is no JSON token), so where one
/// appears inside a body being read or skipped, that body ends there and the next message is read from it; a body that
/// stops arriving is given up after <see cref="FrameLimits.BodyTimeout"/>.
/// </remarks>
public sealed class FrameReader
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> LengthHeader => "content-length"u8;

    // Enough bytes to hold "Content-Length: <up to 20 digits>\r\n" with spaces: a header cut across reads is looked for again.
    private const int HeaderLookBehind = 64;

    private readonly PipeReader input;
    private readonly FrameLimits limits;
    private readonly TimeSpan bodyTimeout;
    private readonly Queue<Frame> pending = new();
    private long bytesToSkip;
    private bool discardingGarbage;
    private bool leftoversExpected;

    /// <summary>Reads frames from <paramref name="input"/> within <paramref name="limits"/>.</summary>
    public FrameReader(PipeReader input, FrameLimits limits)
    {
        this.input = input;
        this.limits = limits;
        bodyTimeout = limits.BodyTimeout > TimeSpan.Zero ? limits.BodyTimeout : TimeSpan.FromSeconds(10);
    }

    private readonly record struct Body(int Length, string? Error);

    /// <summary>Reads the next frame; returns <see cref="Frame.EndOfStream"/> once the peer has closed the stream.</summary>
    public async ValueTask<Frame> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (pending.TryDequeue(out var queued))
            return queued;
        Body? body = null;
        long lastProgress = Stopwatch.GetTimestamp();
        long lastLength = -1;
        long scanned = 0;
        while (true)
        {
            ReadResult result;
            if (body is null)
                result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            else
            {
                // A body that stops arriving must not hold the connection: wake up when it has been quiet too long.
                var wait = bodyTimeout - Stopwatch.GetElapsedTime(lastProgress);
                using var timer = new Timer(static state => ((PipeReader)state!).CancelPendingRead(), input,
                    wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            var buffer = result.Buffer;
            if (buffer.Length != lastLength)
            {
                lastProgress = Stopwatch.GetTimestamp();
                lastLength = buffer.Length;
            }

            if (bytesToSkip > 0)
            {
                var window = buffer.Slice(0, Math.Min(bytesToSkip, buffer.Length));
                long next = FindLengthHeader(window);
                if (next >= 0)
                {
                    // The declared body was a lie: the next message starts here.
                    bytesToSkip = 0;
                    buffer = buffer.Slice(next);
                }
                else if (window.Length == bytesToSkip || result.IsCompleted)
                {
                    bytesToSkip -= window.Length;
                    buffer = buffer.Slice(window.Length);
                }
                else
                {
                    // Keep the tail: it may be the start of a header cut across reads.
                    long consumed = Math.Max(0, window.Length - HeaderLookBehind);
                    bytesToSkip -= consumed;
                    input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                    lastLength = -1;
                    continue;
                }
            }

            if (bytesToSkip == 0 && body is null)
            {
                var reader = new SequenceReader<byte>(buffer);
                if (reader.TryReadTo(out ReadOnlySequence<byte> header, HeaderEnd, advancePastDelimiter: true))
                {
                    buffer = buffer.Slice(reader.Position);
                    if (header.Length > limits.MaxHeaderBytes)
                    {
                        input.AdvanceTo(buffer.Start);
                        bool reported = discardingGarbage || leftoversExpected;
                        discardingGarbage = leftoversExpected = false;
                        if (reported)
                            continue;
                        return Frame.Malformed($"Discarded data that is not a DAP message: no header end within {limits.MaxHeaderBytes} bytes.");
                    }
                    discardingGarbage = false;
                    var parsed = ParseHeader(header);
                    if (parsed.Garbage is not null && !leftoversExpected)
                        pending.Enqueue(Frame.Malformed(parsed.Garbage));
                    leftoversExpected = false;
                    if (parsed.Refusal is not null || (parsed.Error is not null && !parsed.ReadBody))
                    {
                        bytesToSkip = parsed.ContentLength ?? 0;
                        // Without a length the body is unknown: it reaches the next header as leftovers, not reported twice.
                        leftoversExpected = parsed.ContentLength is null;
                        long skipped = Math.Min(bytesToSkip, buffer.Length);
                        long next = FindLengthHeader(buffer.Slice(0, skipped));
                        if (next >= 0)
                            (skipped, bytesToSkip) = (next, 0);
                        else
                            bytesToSkip -= skipped;
                        input.AdvanceTo(buffer.GetPosition(skipped));
                        pending.Enqueue(parsed.Refusal is { } refusal ? Frame.Refused(refusal) : Frame.Malformed(parsed.Error!));
                        return pending.Dequeue();
                    }
                    body = new Body(parsed.ContentLength!.Value, parsed.Error);
                    lastProgress = Stopwatch.GetTimestamp();
                    scanned = 0;
                }
                else if (buffer.Length > limits.MaxHeaderBytes)
                {
                    // Keep the last bytes: they may be the start of a header end split across reads.
                    var keep = buffer.Slice(buffer.Length - (HeaderEnd.Length - 1));
                    input.AdvanceTo(keep.Start, buffer.End);
                    lastLength = -1;
                    if (!discardingGarbage && !leftoversExpected)
                    {
                        discardingGarbage = true;
                        return Frame.Malformed($"Discarded data that is not a DAP message: no header end within {limits.MaxHeaderBytes} bytes.");
                    }
                    continue;
                }
            }

            if (body is { } expected)
            {
                var window = buffer.Slice(0, Math.Min(buffer.Length, expected.Length));
                // Only what arrived since the last look (and a header's length before it) is searched again.
                long from = Math.Max(0, scanned - HeaderLookBehind);
                long next = FindLengthHeader(window.Slice(from));
                scanned = window.Length;
                if (next >= 0)
                {
                    next += from;
                    input.AdvanceTo(buffer.GetPosition(next));
                    return Queued(Frame.Malformed(
                        $"The message declared {expected.Length} bytes, but the next message began after {next}; it was discarded."));
                }
                if (buffer.Length >= expected.Length)
                {
                    var payload = buffer.Slice(0, expected.Length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(expected.Length));
                    return Queued(expected.Error is { } error ? Frame.Malformed(error, payload) : Frame.Message(payload));
                }
                if (!result.IsCompleted && result.IsCanceled && Stopwatch.GetElapsedTime(lastProgress) >= bodyTimeout)
                {
                    input.AdvanceTo(buffer.End);
                    return Queued(Frame.Malformed(
                        $"The message declared {expected.Length} bytes, but only {buffer.Length} arrived and nothing more for " +
                        $"{bodyTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s; it was discarded."));
                }
            }

            if (result.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                if (pending.TryDequeue(out var last))
                    return last;
                bool partial = body is not null || (buffer.Length > 0 && !discardingGarbage && !leftoversExpected && bytesToSkip == 0);
                if (partial && body is { } cut)
                {
                    pending.Enqueue(Frame.EndOfStream);
                    return Frame.Malformed($"The stream ended after {buffer.Length} of the {cut.Length} bytes the message declared.");
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

    private Frame Queued(Frame frame)
    {
        if (pending.Count == 0)
            return frame;
        pending.Enqueue(frame);
        return pending.Dequeue();
    }

    /// <summary>The offset in <paramref name="data"/> where a line <c>Content-Length: N</c> (with its line end) begins, or -1.</summary>
    private static long FindLengthHeader(ReadOnlySequence<byte> data)
    {
        if (data.Length < LengthHeader.Length + 3)
            return -1;
        byte[]? rented = null;
        ReadOnlySpan<byte> span;
        if (data.IsSingleSegment)
            span = data.FirstSpan;
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)data.Length);
            data.CopyTo(rented);
            span = rented.AsSpan(0, (int)data.Length);
        }
        try
        {
            int from = 0;
            while (true)
            {
                int at = span[from..].IndexOfAny((byte)'c', (byte)'C');
                if (at < 0)
                    return -1;
                at += from;
                if (IsLengthHeaderAt(span, at))
                    return at;
                from = at + 1;
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool IsLengthHeaderAt(ReadOnlySpan<byte> span, int at)
    {
        var rest = span[at..];
        if (rest.Length < LengthHeader.Length || !Ascii.EqualsIgnoreCase(rest[..LengthHeader.Length], LengthHeader))
            return false;
        int i = LengthHeader.Length;
        while (i < rest.Length && rest[i] == ' ') i++;
        if (i >= rest.Length || rest[i++] != ':')
            return false;
        while (i < rest.Length && rest[i] == ' ') i++;
        int digits = i;
        while (i < rest.Length && char.IsAsciiDigit((char)rest[i])) i++;
        return i > digits && i + 1 < rest.Length && rest[i] == '\r' && rest[i + 1] == '\n';
    }

    /// <param name="ContentLength">The body length, when known.</param>
    /// <param name="Error">Why the frame is malformed.</param>
    /// <param name="Garbage">Bytes before the header that were not part of it.</param>
    /// <param name="Refusal">Why the frame is refused for what it is.</param>
    /// <param name="ReadBody">The frame is malformed but its body is read anyway, so its request can be answered.</param>
    private readonly record struct ParsedHeader(int? ContentLength, string? Error, string? Garbage, string? Refusal = null, bool ReadBody = false);

    private ParsedHeader ParseHeader(ReadOnlySequence<byte> header)
    {
        string text = Encoding.Latin1.GetString(header);
        var lengths = new List<long>();
        bool origin = false;
        bool badLength = false;
        string? garbage = null;
        var lines = text.Split('\n');
        if (HttpRequestLine.Matches(lines[0].TrimEnd('\r')))
            return new(null, null, null, "Refused an HTTP request: this port speaks the Debug Adapter Protocol, not HTTP.");
        foreach (var rawLine in lines)
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            // Leftovers of a discarded body may sit in front of the next header on the same line.
            int lengthAt = line.IndexOf("Content-Length", StringComparison.OrdinalIgnoreCase);
            if (lengthAt > 0 && line.AsSpan(lengthAt + "Content-Length".Length).TrimStart(' ').StartsWith(":", StringComparison.Ordinal))
            {
                garbage = "Ignored data that is not a DAP header before a Content-Length header.";
                line = line[lengthAt..];
            }
            int colon = line.IndexOf(':');
            string name = colon < 0 ? "" : line[..colon].Trim();
            string value = colon < 0 ? "" : line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                    lengths.Add(n);
                else
                    badLength = true;
            }
            else if (name.Equals("Origin", StringComparison.OrdinalIgnoreCase))
                origin = true;
            else if (colon <= 0 || !IsToken(name))
                garbage = "Ignored data that is not a DAP header.";
        }

        long? contentLength = lengths.Count > 0 ? lengths[0] : null;
        int? skip = contentLength is long l && l <= int.MaxValue ? (int)l : null;
        if (badLength)
            return new(null, "The Content-Length header is not a non-negative decimal number.", null);
        if (contentLength is null)
            return new(null, "The message has no Content-Length header.", null);
        if (lengths.Distinct().Count() > 1)
            return new(null, $"The message has Content-Length headers that disagree ({string.Join(" and ", lengths.Distinct())} bytes); it was discarded.", garbage);
        if (origin)
            return new(skip, null, garbage, "Refused a message with an Origin header: web pages may not talk to the debugger.");
        if (contentLength > limits.MaxMessageBytes)
        {
            // Skip the declared body as it arrives (bounded memory); lengths past int.MaxValue cannot be skipped reliably.
            if (skip is null)
                return new(null, $"The message declares {contentLength} bytes, more than the {limits.MaxMessageBytes}-byte limit.", garbage);
            return new(skip, $"The message declares {contentLength} bytes, more than the {limits.MaxMessageBytes}-byte limit; it was skipped.", garbage);
        }
        if (lengths.Count > 1)
            return new((int)contentLength, $"The message has {lengths.Count} Content-Length headers; a message has exactly one.", garbage, ReadBody: true);
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
