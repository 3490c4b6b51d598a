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
