using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Adapter.Session.Handlers;
using TrapDebugger.Adapter.Transport;
using TrapDebugger.Protocol.Framing;

namespace TrapDebugger.Adapter.Tests;

/// <summary>A DAP client wired to a real <see cref="DebugSession"/> through in-memory pipes.</summary>
internal sealed class InMemoryDapClient : IAsyncDisposable
{
    private readonly Pipe toAdapter = new();
    private readonly Pipe fromAdapter = new();
    private readonly FrameReader frames;
    private int nextSeq = 1;

    public InMemoryDapClient(SessionOptions? options = null, Action<RequestDispatcher>? register = null, FrameLimits? limits = null)
    {
        var dispatcher = HandlerCatalog.CreateDispatcher();
        register?.Invoke(dispatcher);
        var connection = new DapConnection(toAdapter.Reader, fromAdapter.Writer, limits ?? FrameLimits.Default);
        Session = new DebugSession(connection, dispatcher, options ?? new SessionOptions());
        Running = Task.Run(Session.RunAsync);
        frames = new FrameReader(fromAdapter.Reader, FrameLimits.Default);
    }

    public DebugSession Session { get; }

    /// <summary>Completes when the session has ended.</summary>
    public Task Running { get; }

    public async Task SendRawAsync(byte[] bytes)
    {
        await toAdapter.Writer.WriteAsync(bytes);
        await toAdapter.Writer.FlushAsync();
    }

    public static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];
    }

    /// <summary>Sends a request and returns its seq.</summary>
    public async Task<int> SendRequestAsync(string command, string? argumentsJson = null)
    {
        int seq = nextSeq++;
        string args = argumentsJson is null ? "" : $",\"arguments\":{argumentsJson}";
        await SendRawAsync(Frame($"{{\"seq\":{seq},\"type\":\"request\",\"command\":\"{command}\"{args}}}"));
        return seq;
    }

    /// <summary>The next message from the adapter, or null when the adapter closed the stream.</summary>
    public async Task<JsonObject?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frame = await frames.ReadAsync(timeout.Token);
        if (frame.IsEndOfStream)
            return null;
        Assert.Null(frame.Error);
        return JsonNode.Parse(frame.Payload)!.AsObject();
    }

    /// <summary>Reads until the response to <paramref name="seq"/>, collecting the events on the way.</summary>
    public async Task<(JsonObject Response, List<JsonObject> Events)> ReadResponseAsync(int seq)
    {
        var events = new List<JsonObject>();
        while (true)
        {
            var message = await ReadAsync() ?? throw new Xunit.Sdk.XunitException($"The adapter closed the stream before answering request {seq}.");
            if ((string?)message["type"] == "response" && (int?)message["request_seq"] == seq)
                return (message, events);
            events.Add(message);
        }
    }

    public async Task<(JsonObject Response, List<JsonObject> Events)> RequestAsync(string command, string? argumentsJson = null) =>
        await ReadResponseAsync(await SendRequestAsync(command, argumentsJson));

    /// <summary>Reads until an event named <paramref name="name"/>.</summary>
    public async Task<JsonObject> ReadEventAsync(string name)
    {
        while (true)
        {
            var message = await ReadAsync() ?? throw new Xunit.Sdk.XunitException($"The adapter closed the stream before sending '{name}'.");
            if ((string?)message["type"] == "event" && (string?)message["event"] == name)
                return message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await toAdapter.Writer.CompleteAsync();
        await Running.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
