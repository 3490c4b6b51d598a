using TrapDebugger.Adapter.Session;

namespace TrapDebugger.Adapter.Tests;

public sealed class AuthenticationTests
{
    private const string Token = "0123456789abcdef";

    [Theory]
    [InlineData("initialize", """{"adapterID":"trapdbg","trapdbgAuthToken":"wrong"}""")]
    [InlineData("initialize", """{"adapterID":"trapdbg"}""")]
    [InlineData("initialize", """{"adapterID":"trapdbg","trapdbgAuthToken":12}""")]
    [InlineData("threads", null)]
    public async Task A_wrong_or_missing_token_gets_one_error_then_the_connection_closes(string command, string? arguments)
    {
        await using var client = new InMemoryDapClient(new SessionOptions { AuthToken = Token });
        var (response, events) = await client.RequestAsync(command, arguments);
        Assert.Empty(events);
        Assert.False((bool)response["success"]!);
        Assert.Equal("Authentication failed: the first request must be 'initialize' with the correct 'trapdbgAuthToken'.", (string?)response["message"]);
        Assert.Null(await client.ReadAsync());
    }

    [Fact]
    public async Task Garbage_before_authentication_closes_the_connection()
    {
        await using var client = new InMemoryDapClient(new SessionOptions { AuthToken = Token });
        await client.SendRawAsync(InMemoryDapClient.Frame("[]"));
        var output = await client.ReadAsync();
        Assert.Equal("output", (string?)output!["event"]);
        Assert.Null(await client.ReadAsync());
    }

    [Fact]
    public async Task The_right_token_opens_the_session()
    {
        await using var client = new InMemoryDapClient(new SessionOptions { AuthToken = Token });
        var (response, _) = await client.RequestAsync("initialize", $$"""{"adapterID":"trapdbg","trapdbgAuthToken":"{{Token}}"}""");
        Assert.True((bool)response["success"]!);
        // Past authentication, requests reach their handlers: no process yet means no threads and no stack.
        var (threads, _) = await client.RequestAsync("threads");
        Assert.True((bool)threads["success"]!);
        Assert.Empty(threads["body"]!["threads"]!.AsArray());
        var (stack, _) = await client.RequestAsync("stackTrace", """{"threadId":1}""");
        Assert.False((bool)stack["success"]!);
        Assert.Equal("stackTrace: there is no process; launch or attach first.", (string?)stack["message"]);
    }
}
