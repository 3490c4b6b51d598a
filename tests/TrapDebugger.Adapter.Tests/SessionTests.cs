using System.Text;
using System.Text.Json.Nodes;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Framing;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Tests;

public sealed class SessionTests
{
    private static string? ErrorOf(JsonObject response)
    {
        Assert.False((bool)response["success"]!);
        string? message = (string?)response["message"];
        Assert.Equal(message, (string?)response["body"]?["error"]?["format"]);
        return message;
    }

    // Which capabilities each command's handler makes true: the adapter may advertise a capability only when the
    // handler that serves it is registered.
    private static readonly Dictionary<string, string[]> CapabilitiesOfCommand = new()
    {
        ["initialize"] = [], ["cancel"] = ["supportsCancelRequest"],
        ["disconnect"] = ["supportTerminateDebuggee", "supportSuspendDebuggee"], ["terminate"] = ["supportsTerminateRequest"],
        ["launch"] = [], ["attach"] = [], ["configurationDone"] = ["supportsConfigurationDoneRequest"],
        ["setBreakpoints"] = ["supportsConditionalBreakpoints", "supportsHitConditionalBreakpoints", "supportsLogPoints"],
        ["setFunctionBreakpoints"] = ["supportsFunctionBreakpoints"],
        ["setInstructionBreakpoints"] = ["supportsInstructionBreakpoints"],
        ["setExceptionBreakpoints"] = ["exceptionBreakpointFilters", "supportsExceptionFilterOptions"],
        ["exceptionInfo"] = ["supportsExceptionInfoRequest"],
        ["continue"] = [], ["pause"] = [], ["next"] = ["supportsSteppingGranularity"], ["stepIn"] = ["supportsSteppingGranularity"],
        ["stepOut"] = ["supportsSteppingGranularity"], ["threads"] = [],
        ["stackTrace"] = ["supportsDelayedStackTraceLoading"], ["scopes"] = [], ["variables"] = ["supportsValueFormattingOptions"],
        ["setVariable"] = ["supportsSetVariable"], ["evaluate"] = ["supportsEvaluateForHovers", "supportsClipboardContext"],
        ["completions"] = ["supportsCompletionsRequest", "completionTriggerCharacters"],
        ["modules"] = ["supportsModulesRequest"], ["loadedSources"] = ["supportsLoadedSourcesRequest"], ["source"] = [],
        ["disassemble"] = ["supportsDisassembleRequest"], ["readMemory"] = ["supportsReadMemoryRequest"],
        ["writeMemory"] = ["supportsWriteMemoryRequest"],
        ["dataBreakpointInfo"] = ["supportsDataBreakpoints", "supportsDataBreakpointBytes"], ["setDataBreakpoints"] = ["supportsDataBreakpoints"],
        ["trapSites"] = [], ["trapOrigins"] = [], ["saveCore"] = [],
    };

    [Fact]
    public async Task Attach_refuses_a_pid_with_no_process_in_one_sentence()
    {
        await using var client = new InMemoryDapClient();
        await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        // pid_max on Linux is at most 2^22, so this pid can never exist.
        var (response, _) = await client.RequestAsync("attach", """{"pid":2147483647}""");
        Assert.Equal("attach: no process with pid 2147483647 exists.", ErrorOf(response));
    }

    [Fact]
    public async Task Initialize_advertises_exactly_the_capabilities_of_the_registered_handlers_then_sends_initialized()
    {
        await using var client = new InMemoryDapClient();
        int seq = await client.SendRequestAsync("initialize", """{"adapterID":"trapdbg","clientID":"vscode","linesStartAt1":true}""");
        var first = await client.ReadAsync();
        Assert.Equal("response", (string?)first!["type"]);
        Assert.Equal(seq, (int?)first["request_seq"]);
        Assert.True((bool)first["success"]!);
        var capabilities = first["body"]!.AsObject();

        // Every registered command is known to the table, so a new handler cannot slip in an unchecked capability.
        string[] commands = [.. client.Session.Dispatcher.Commands.Append("cancel")];
        Assert.All(commands, c => Assert.True(CapabilitiesOfCommand.ContainsKey(c), $"'{c}' is registered but missing from the table"));
        string[] expected = [.. commands.SelectMany(c => CapabilitiesOfCommand[c]).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(expected, capabilities.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(capabilities.Where(p => p.Key.StartsWith("supports", StringComparison.Ordinal) || p.Key is "supportTerminateDebuggee" or "supportSuspendDebuggee"),
            p => Assert.True((bool)p.Value!, $"{p.Key} is advertised false"));
        Assert.NotEmpty(capabilities["exceptionBreakpointFilters"]!.AsArray());

        var second = await client.ReadAsync();
        Assert.Equal("initialized", (string?)second!["event"]);
        Assert.Equal("vscode", client.Session.Client!.ClientId);
    }

    [Fact]
    public async Task A_second_initialize_is_refused()
    {
        await using var client = new InMemoryDapClient();
        await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        var (response, _) = await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        Assert.Equal("initialize: the session is already initialized.", ErrorOf(response));
    }

    [Theory]
    [InlineData("frobnicate", false)]
    [InlineData("evaluate", false)]
    [InlineData("source", false)]
    [InlineData("launch", true)]
    [InlineData("attach", true)]
    public async Task Only_the_users_own_actions_fail_with_a_pop_up(string command, bool showUser)
    {
        await using var client = new InMemoryDapClient();
        await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        var (response, _) = await client.RequestAsync(command, "{}");
        Assert.False((bool)response["success"]!);
        Assert.Equal(showUser, (bool?)response["body"]?["error"]?["showUser"]);
    }

    [Fact]
    public async Task A_reverse_request_gets_the_clients_response_and_a_stray_response_is_ignored()
    {
        await using var client = new InMemoryDapClient();
        await client.RequestAsync("initialize", """{"adapterID":"trapdbg","supportsRunInTerminalRequest":true}""");
        var asked = client.Session.Connection.SendRequestAsync("runInTerminal",
            new Protocol.Requests.RunInTerminalRequestArguments { Kind = "integrated", Cwd = "/tmp", Args = ["/bin/sh"] },
            Protocol.Serialization.ProtocolJsonContext.Default.RunInTerminalRequestArguments, TestContext.Current.CancellationToken);
        var request = await client.ReadAsync();
        while ((string?)request!["type"] == "event")
            request = await client.ReadAsync();
        Assert.Equal("request", (string?)request!["type"]);
        Assert.Equal("runInTerminal", (string?)request["command"]);
        Assert.Equal("/bin/sh", (string?)request["arguments"]!["args"]![0]);
        int seq = (int)request["seq"]!;
        await client.SendRawAsync(InMemoryDapClient.Frame($$"""{"seq":90,"type":"response","request_seq":{{seq + 1000}},"command":"runInTerminal","success":true}"""));
        await client.SendRawAsync(InMemoryDapClient.Frame($$$"""{"seq":91,"type":"response","request_seq":{{{seq}}},"command":"runInTerminal","success":true,"body":{"processId":4321}}"""));
        var response = await asked.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(response.Success);
        Assert.Equal(4321, response.Body!.Value.GetProperty("processId").GetInt32());
        // The session still serves requests after the stray response.
        var (threads, _) = await client.RequestAsync("threads");
        Assert.True((bool)threads["success"]!);
    }

    [Theory]
    [InlineData("frobnicate", "Unknown request 'frobnicate'.")]
    [InlineData("restartFrame", "The 'restartFrame' request is not supported yet.")]
    [InlineData("gotoTargets", "The 'gotoTargets' request is not supported yet.")]
    public async Task Requests_without_a_handler_get_an_error_naming_them(string command, string error)
    {
        await using var client = new InMemoryDapClient();
        Assert.DoesNotContain(command, client.Session.Dispatcher.Commands);
        var (response, _) = await client.RequestAsync(command, "{}");
        Assert.Equal(command, (string?)response["command"]);
        Assert.Equal(error, ErrorOf(response));
    }

    [Fact]
    public async Task Every_kind_of_malformed_input_gets_one_sentence_and_the_session_keeps_serving()
    {
        await using var client = new InMemoryDapClient(limits: new FrameLimits(4096, 512));
        byte[][] faults =
        [
            Encoding.ASCII.GetBytes("Content-Length: 5\r\n\r\n{bad}"),                       // truncated / bad JSON
            Encoding.ASCII.GetBytes("Content-Length: 12\r\nOrigin: http://x\r\n\r\n{\"seq\":1234}"), // browser
            Encoding.ASCII.GetBytes("Content-Length: 5000\r\n\r\n" + new string(' ', 5000)),   // oversized
            Encoding.ASCII.GetBytes("\u0000\u00ff\u0013garbage\r\n\r\n"),                        // garbage bytes
            InMemoryDapClient.Frame("""{"seq":"x","type":"request","command":"threads"}"""),   // unreadable seq
        ];
        foreach (var fault in faults)
        {
            await client.SendRawAsync(fault);
            var output = await client.ReadEventAsync("output");
            Assert.Equal("important", (string?)output["body"]!["category"]);
            string text = ((string?)output["body"]!["output"])!.TrimEnd('\n');
            Assert.EndsWith(".", text);
            Assert.DoesNotContain("\n", text);
            Assert.DoesNotContain("   at ", text);
        }
        var (response, _) = await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        Assert.True((bool)response["success"]!);
    }

    [Fact]
    public async Task A_malformed_request_with_a_readable_seq_gets_an_error_response()
    {
        await using var client = new InMemoryDapClient();
        await client.SendRawAsync(InMemoryDapClient.Frame("""{"seq":77,"type":"request","command":"next","arguments":"3"}"""));
        var (response, _) = await client.ReadResponseAsync(77);
        Assert.Equal("The arguments of 'next' must be a JSON object.", ErrorOf(response));
    }

    [Fact]
    public async Task Wrong_argument_types_get_an_error_response_naming_the_argument()
    {
        await using var client = new InMemoryDapClient();
        var (response, _) = await client.RequestAsync("disconnect", """{"terminateDebuggee":"yes"}""");
        Assert.Equal("disconnect: argument 'terminateDebuggee' must be true or false.", ErrorOf(response));
        var (ok, _) = await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        Assert.True((bool)ok["success"]!);
    }

    [Fact]
    public async Task A_handler_bug_becomes_one_sentence_and_the_session_survives()
    {
        await using var client = new InMemoryDapClient(register: d => d.Register(new ThrowingHandler()));
        var (response, _) = await client.RequestAsync("threads");
        Assert.Equal("'threads' failed inside the adapter: the thread list is corrupt", ErrorOf(response));
        var (ok, _) = await client.RequestAsync("initialize", """{"adapterID":"trapdbg"}""");
        Assert.True((bool)ok["success"]!);
    }

    [Fact]
    public async Task Cancel_reaches_a_running_request_which_answers_cancelled()
    {
        var blocking = new BlockingHandler();
        await using var client = new InMemoryDapClient(register: d => d.Register(blocking));
        int slow = await client.SendRequestAsync("pause", """{"threadId":1}""");
        await blocking.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var (cancelResponse, _) = await client.RequestAsync("cancel", $$"""{"requestId":{{slow}}}""");
        Assert.True((bool)cancelResponse["success"]!);
        var (response, _) = await client.ReadResponseAsync(slow);
        Assert.False((bool)response["success"]!);
        Assert.Equal("cancelled", (string?)response["message"]);
    }

    [Fact]
    public async Task Cancel_of_a_queued_request_answers_it_cancelled_without_running_it()
    {
        var blocking = new BlockingHandler();
        await using var client = new InMemoryDapClient(register: d => d.Register(blocking));
        int first = await client.SendRequestAsync("pause", """{"threadId":1}""");
        await blocking.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        int queued = await client.SendRequestAsync("pause", """{"threadId":2}""");
        await client.RequestAsync("cancel", $$"""{"requestId":{{queued}}}""");
        await client.RequestAsync("cancel", $$"""{"requestId":{{first}}}""");
        await client.ReadResponseAsync(first);
        var (response, _) = await client.ReadResponseAsync(queued);
        Assert.Equal("cancelled", (string?)response["message"]);
        Assert.Equal([1], blocking.ThreadIds);
    }

    [Theory]
    [InlineData(true, null, null, "terminate")]
    [InlineData(false, null, null, "detach")]
    [InlineData(true, false, null, "detach")]
    [InlineData(false, true, null, "terminate")]
    [InlineData(false, null, true, "detach suspended")]
    [InlineData(false, false, false, "detach")]
    [InlineData(true, null, true, "detach suspended")]
    [InlineData(true, true, true, "terminate")]
    public async Task Disconnect_terminates_what_was_launched_and_detaches_from_what_was_attached(bool launched, bool? terminateDebuggee, bool? suspendDebuggee, string expected)
    {
        var debuggee = new RecordingDebuggee(launched);
        await using var client = new InMemoryDapClient();
        client.Session.Debuggee = debuggee;
        var fields = new List<string>();
        if (terminateDebuggee is bool t) fields.Add($"\"terminateDebuggee\":{(t ? "true" : "false")}");
        if (suspendDebuggee is bool s) fields.Add($"\"suspendDebuggee\":{(s ? "true" : "false")}");
        string args = "{" + string.Join(",", fields) + "}";
        var (response, _) = await client.RequestAsync("disconnect", args);
        Assert.True((bool)response["success"]!);
        Assert.Equal([expected], debuggee.Calls);
        Assert.Null(await client.ReadAsync());
        await client.Running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Terminate_kills_the_debuggee_and_sends_terminated_once()
    {
        var debuggee = new RecordingDebuggee(launched: false);
        await using var client = new InMemoryDapClient();
        client.Session.Debuggee = debuggee;
        var (response, _) = await client.RequestAsync("terminate");
        Assert.True((bool)response["success"]!);
        await client.ReadEventAsync("terminated");
        Assert.Equal(["terminate"], debuggee.Calls);
        await client.Session.SendTerminatedAsync();
        var (disconnect, events) = await client.RequestAsync("disconnect");
        Assert.True((bool)disconnect["success"]!);
        Assert.Empty(events);
    }

    [Fact]
    public async Task A_vanished_client_makes_the_session_release_the_debuggee()
    {
        var debuggee = new RecordingDebuggee(launched: true);
        var client = new InMemoryDapClient();
        client.Session.Debuggee = debuggee;
        await client.DisposeAsync();
        Assert.Equal(["terminate"], debuggee.Calls);
    }

    [Fact]
    public async Task Sequence_numbers_increase_across_responses_and_events_sent_from_many_threads()
    {
        await using var client = new InMemoryDapClient();
        var senders = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            client.Session.Connection.SendOutputAsync("console", $"line {i}\n"))).ToArray();
        await Task.WhenAll(senders);
        var seqs = new List<int>();
        for (int i = 0; i < 8; i++)
            seqs.Add((int)(await client.ReadAsync())!["seq"]!);
        Assert.Equal(Enumerable.Range(1, 8), seqs);
    }

    private sealed class ThrowingHandler() : RequestHandler<LoadedSourcesArguments>(Commands.Threads, ProtocolJsonContext.Default.LoadedSourcesArguments)
    {
        protected override Task HandleAsync(LoadedSourcesArguments arguments, RequestContext context) =>
            throw new InvalidOperationException("the thread list is corrupt");
    }

    private sealed class BlockingHandler() : RequestHandler<PauseArguments>(Commands.Pause, ProtocolJsonContext.Default.PauseArguments)
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<int> ThreadIds { get; } = [];

        protected override async Task HandleAsync(PauseArguments arguments, RequestContext context)
        {
            ThreadIds.Add(arguments.ThreadId);
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
    }

    private sealed class RecordingDebuggee(bool launched) : IDebuggee
    {
        public List<string> Calls { get; } = [];
        public bool WasLaunched => launched;

        public Task TerminateAsync(CancellationToken cancellationToken)
        {
            Calls.Add("terminate");
            return Task.CompletedTask;
        }

        public Task DetachAsync(bool suspend, CancellationToken cancellationToken)
        {
            Calls.Add(suspend ? "detach suspended" : "detach");
            return Task.CompletedTask;
        }
    }
}
