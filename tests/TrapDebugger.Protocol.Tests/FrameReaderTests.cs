using System.IO.Pipelines;
using System.Text;
using TrapDebugger.Protocol.Framing;

namespace TrapDebugger.Protocol.Tests;

public sealed class FrameReaderTests
{
    private static readonly FrameLimits SmallLimits = new(MaxMessageBytes: 1024, MaxHeaderBytes: 256);

    private static byte[] Framed(string json, string headerName = "Content-Length", string extraHeaders = "") =>
        Encoding.UTF8.GetBytes($"{extraHeaders}{headerName}: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    /// <summary>Feeds <paramref name="chunks"/> to a reader one flush at a time, closes the pipe, and returns every frame read.</summary>
    private static async Task<List<Frame>> ReadAllAsync(FrameLimits limits, params byte[][] chunks)
    {
        var pipe = new Pipe();
        var reader = new FrameReader(pipe.Reader, limits);
        var writer = Task.Run(async () =>
        {
            foreach (var chunk in chunks)
            {
                await pipe.Writer.WriteAsync(chunk);
                await pipe.Writer.FlushAsync();
            }
            await pipe.Writer.CompleteAsync();
        });
        var frames = new List<Frame>();
        while (true)
        {
            var frame = await reader.ReadAsync(TestContext.Current.CancellationToken);
            if (frame.IsEndOfStream)
                break;
            frames.Add(frame);
        }
        await writer;
        return frames;
    }

    private static string Text(Frame frame) => Encoding.UTF8.GetString(Assert.IsType<byte[]>(frame.Payload));

    [Fact]
    public async Task Merged_frames_in_one_write_come_out_one_by_one()
    {
        var frames = await ReadAllAsync(SmallLimits, [.. Framed("""{"a":1}"""), .. Framed("""{"b":2}"""), .. Framed("{}")]);
        Assert.Equal(["""{"a":1}""", """{"b":2}""", "{}"], frames.Select(Text));
    }

    [Fact]
    public async Task A_frame_split_into_single_bytes_is_reassembled()
    {
        var bytes = Framed("""{"split":"héllo"}""");
        var frames = await ReadAllAsync(SmallLimits, bytes.Select(b => new[] { b }).ToArray());
        Assert.Equal(["""{"split":"héllo"}"""], frames.Select(Text));
    }

    [Theory]
    [InlineData("content-length")]
    [InlineData("CONTENT-LENGTH")]
    [InlineData("Content-length")]
    public async Task Header_name_is_case_insensitive(string name)
    {
        var frames = await ReadAllAsync(SmallLimits, Framed("{}", name));
        Assert.Equal(["{}"], frames.Select(Text));
    }

    [Fact]
    public async Task Other_headers_are_ignored()
    {
        var frames = await ReadAllAsync(SmallLimits, Framed("{}", extraHeaders: "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"));
        Assert.Equal(["{}"], frames.Select(Text));
    }

    [Theory]
    [InlineData("Origin: http://evil.example\r\n")]
    [InlineData("origin: null\r\n")]
    public async Task A_frame_with_an_Origin_header_is_refused_and_the_next_is_served(string origin)
    {
        var frames = await ReadAllAsync(SmallLimits, [.. Framed("""{"x":1}""", extraHeaders: origin), .. Framed("{}")]);
        Assert.Equal(2, frames.Count);
        Assert.Contains("Origin", frames[0].Error);
        Assert.Equal("{}", Text(frames[1]));
    }

    [Fact]
    public async Task An_oversized_frame_is_skipped_without_buffering_and_the_next_is_served()
    {
        string huge = "\"" + new string('x', 5000) + "\"";
        var frames = await ReadAllAsync(SmallLimits, [.. Framed(huge), .. Framed("{}")]);
        Assert.Equal(2, frames.Count);
        Assert.Equal("The message declares 5002 bytes, more than the 1024-byte limit; it was skipped.", frames[0].Error);
        Assert.Equal("{}", Text(frames[1]));
    }

    [Fact]
    public async Task A_Content_Length_beyond_any_buffer_is_refused_with_a_sentence()
    {
        var frames = await ReadAllAsync(SmallLimits, Encoding.ASCII.GetBytes("Content-Length: 99999999999999\r\n\r\n"));
        Assert.Equal("The message declares 99999999999999 bytes, more than the 1024-byte limit.", Assert.Single(frames).Error);
    }

    [Theory]
    [InlineData("Content-Length: -5\r\n\r\n", "The Content-Length header is not a non-negative decimal number.")]
    [InlineData("Content-Length: 0x10\r\n\r\n", "The Content-Length header is not a non-negative decimal number.")]
    [InlineData("Content-Type: json\r\n\r\n", "The message has no Content-Length header.")]
    public async Task A_bad_header_gets_one_sentence_and_the_next_frame_is_served(string header, string error)
    {
        var frames = await ReadAllAsync(SmallLimits, [.. Encoding.ASCII.GetBytes(header), .. Framed("{}")]);
        Assert.Equal(2, frames.Count);
        Assert.Equal(error, frames[0].Error);
        Assert.Equal("{}", Text(frames[1]));
    }

    [Fact]
    public async Task Garbage_glued_before_a_header_is_reported_and_the_frame_still_served()
    {
        var frames = await ReadAllAsync(SmallLimits, [.. "\u0001\u0002junk"u8.ToArray(), .. Framed("{}")]);
        Assert.Equal(2, frames.Count);
        Assert.Contains("not a DAP header", frames[0].Error);
        Assert.Equal("{}", Text(frames[1]));
    }

    [Fact]
    public async Task Endless_garbage_is_discarded_in_bounded_chunks_with_one_report()
    {
        var garbage = Enumerable.Range(0, 20).Select(_ => Enumerable.Repeat((byte)'z', 100).ToArray()).ToArray();
        var frames = await ReadAllAsync(SmallLimits, [.. garbage, Encoding.ASCII.GetBytes("\r\n\r\n"), Framed("{}")]);
        Assert.Equal("Discarded data that is not a DAP message: no header end within 256 bytes.", frames[0].Error);
        Assert.Equal("{}", Text(frames[^1]));
        Assert.All(frames.Skip(1).SkipLast(1), f => Assert.NotNull(f.Error));
    }

    [Fact]
    public async Task A_stream_ending_inside_a_body_is_reported()
    {
        var frames = await ReadAllAsync(SmallLimits, Encoding.ASCII.GetBytes("Content-Length: 10\r\n\r\n{\"a\""));
        Assert.Equal("The stream ended after 4 of the 10 bytes the message declared.", Assert.Single(frames).Error);
    }

    [Fact]
    public async Task A_stream_ending_inside_a_header_is_reported()
    {
        var frames = await ReadAllAsync(SmallLimits, Encoding.ASCII.GetBytes("Content-Len"));
        Assert.Equal("The stream ended inside a message header.", Assert.Single(frames).Error);
    }

    [Fact]
    public async Task Two_equal_Content_Length_headers_are_refused_with_the_body_kept_for_an_answer_and_the_next_frame_served()
    {
        var twice = Encoding.ASCII.GetBytes("Content-Length: 7\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
        var frames = await ReadAllAsync(SmallLimits, [.. twice, .. Framed("""{"b":2}""")]);
        Assert.Equal(2, frames.Count);
        Assert.Equal("The message has 2 Content-Length headers; a message has exactly one.", frames[0].Error);
        Assert.Equal("""{"a":1}""", Text(frames[0]));
        Assert.Equal("""{"b":2}""", Text(frames[1]));
    }

    [Fact]
    public async Task Content_Length_headers_that_disagree_are_refused_and_the_next_frame_is_served_whole()
    {
        var twice = Encoding.ASCII.GetBytes("Content-Length: 7\r\nContent-Length: 300\r\n\r\n{\"a\":1}");
        var frames = await ReadAllAsync(SmallLimits, [.. twice, .. Framed("""{"b":2}""")]);
        Assert.Equal(2, frames.Count);
        Assert.Equal("The message has Content-Length headers that disagree (7 and 300 bytes); it was discarded.", frames[0].Error);
        Assert.Equal("""{"b":2}""", Text(frames[1]));
    }

    [Fact]
    public async Task A_Content_Length_longer_than_the_body_does_not_swallow_the_next_message()
    {
        var lying = Encoding.ASCII.GetBytes("Content-Length: 500\r\n\r\n{\"seq\":1,\"type\":\"request\",\"command\":\"threads\"}");
        var frames = await ReadAllAsync(SmallLimits, [.. lying, .. Framed("""{"seq":2}""")]);
        Assert.Equal(2, frames.Count);
        Assert.Equal("The message declared 500 bytes, but the next message began after 46; it was discarded.", frames[0].Error);
        Assert.Equal("""{"seq":2}""", Text(frames[1]));
    }

    [Fact]
    public async Task An_oversized_Content_Length_whose_body_never_comes_does_not_skip_the_next_message()
    {
        var huge = Encoding.ASCII.GetBytes("Content-Length: 900000000\r\n\r\n{}");
        var frames = await ReadAllAsync(SmallLimits, [.. huge], Framed("""{"seq":2}"""));
        Assert.Equal(2, frames.Count);
        Assert.StartsWith("The message declares 900000000 bytes, more than the 1024-byte limit", frames[0].Error);
        Assert.Equal("""{"seq":2}""", Text(frames[1]));
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_given_up_after_the_timeout_and_the_connection_serves_on()
    {
        var limits = SmallLimits with { BodyTimeout = TimeSpan.FromMilliseconds(300) };
        var pipe = new Pipe();
        var reader = new FrameReader(pipe.Reader, limits);
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("Content-Length: 100\r\n\r\n{\"seq\":1"), TestContext.Current.CancellationToken);
        var first = await reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal("The message declared 100 bytes, but only 8 arrived and nothing more for 0.3 s; it was discarded.", first.Error);
        await pipe.Writer.WriteAsync(Framed("""{"seq":2}"""), TestContext.Current.CancellationToken);
        var second = await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal("""{"seq":2}""", Text(second));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: 127.0.0.1:4711\r\n\r\n")]
    [InlineData("POST /json HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}")]
    public async Task An_HTTP_request_is_a_refusal(string request)
    {
        var frames = await ReadAllAsync(SmallLimits, Encoding.ASCII.GetBytes(request));
        var refused = frames[0];
        Assert.True(refused.IsRefusal);
        Assert.Equal("Refused an HTTP request: this port speaks the Debug Adapter Protocol, not HTTP.", refused.Error);
    }

    [Fact]
    public async Task An_Origin_header_is_a_refusal()
    {
        var frames = await ReadAllAsync(SmallLimits, Framed("{}", extraHeaders: "Origin: https://example.com\r\n"));
        Assert.True(Assert.Single(frames).IsRefusal);
    }

    [Fact]
    public async Task Frame_writer_output_is_read_back()
    {
        var pipe = new Pipe();
        await FrameWriter.WriteAsync(pipe.Writer, "{\"é\":1}"u8.ToArray(), TestContext.Current.CancellationToken);
        await pipe.Writer.CompleteAsync();
        var reader = new FrameReader(pipe.Reader, SmallLimits);
        var frame = await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal("{\"é\":1}", Text(frame));
        Assert.True((await reader.ReadAsync(TestContext.Current.CancellationToken)).IsEndOfStream);
    }
}
