using System.Text;

namespace TrapDebugger.Adapter.Tests;

/// <summary>Malformed DAP traffic gets an answer to the request it belongs to, when there is one, and never costs the next request.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public async Task A_request_framed_with_two_Content_Length_headers_is_answered_with_the_error_and_the_next_is_served()
    {
        await using var client = new InMemoryDapClient();
        var body = """{"seq":7,"type":"request","command":"threads"}""";
        await client.SendRawAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        var (refused, _) = await client.ReadResponseAsync(7);
        Assert.False((bool)refused["success"]!);
        Assert.Equal("The message has 2 Content-Length headers; a message has exactly one.", (string?)refused["message"]);
        var (threads, _) = await client.RequestAsync("threads");
        Assert.True((bool)threads["success"]!);
    }

    [Fact]
    public async Task A_request_naming_its_command_twice_is_answered_with_an_error_and_not_run()
    {
        await using var client = new InMemoryDapClient();
        await client.SendRawAsync(InMemoryDapClient.Frame("""{"seq":3,"type":"request","command":"threads","command":"disconnect"}"""));
        var (refused, _) = await client.ReadResponseAsync(3);
        Assert.False((bool)refused["success"]!);
        Assert.Equal("The message has the property 'command' more than once; it was not run.", (string?)refused["message"]);
        // Neither copy ran: the session is still open (no disconnect) and answers.
        var (threads, _) = await client.RequestAsync("threads");
        Assert.True((bool)threads["success"]!);
    }

    [Fact]
    public async Task A_body_shorter_than_its_Content_Length_does_not_take_the_next_request_with_it()
    {
        await using var client = new InMemoryDapClient();
        await client.SendRawAsync(Encoding.ASCII.GetBytes("Content-Length: 4000\r\n\r\n{\"seq\":1,\"type\":\"request\",\"command\":\"threads\"}"));
        int seq = await client.SendRequestAsync("threads");
        var (threads, events) = await client.ReadResponseAsync(seq);
        Assert.True((bool)threads["success"]!);
        var notice = Assert.Single(events);
        Assert.Equal("output", (string?)notice["event"]);
        Assert.StartsWith("The message declared 4000 bytes, but the next message began after", (string?)notice["body"]!["output"]);
    }

    [Fact]
    public async Task Exception_filters_of_null_name_the_argument()
    {
        await using var client = new InMemoryDapClient();
        var (response, _) = await client.RequestAsync("setExceptionBreakpoints", """{"filters":null}""");
        Assert.False((bool)response["success"]!);
        Assert.Equal("setExceptionBreakpoints: argument 'filters' must not be null.", (string?)response["message"]);
    }

    [Fact]
    public async Task An_error_quotes_a_long_command_as_a_short_prefix()
    {
        await using var client = new InMemoryDapClient();
        string command = new('q', 100_000);
        var (response, _) = await client.RequestAsync(command);
        string message = (string)response["message"]!;
        Assert.Equal($"Unknown request '{new string('q', 48)}… (100000 characters)'.", message);
        Assert.True(((string)response["command"]!).Length < 100);
    }
}
