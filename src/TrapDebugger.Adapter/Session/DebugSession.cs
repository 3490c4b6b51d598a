using System.Collections.Concurrent;
using System.Threading.Channels;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Transport;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Messages;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Session;

/// <summary>One DAP session on one connection: reads requests, runs their handlers in order, and answers every one.</summary>
/// <remarks>
/// The read loop never waits for a handler, so <c>cancel</c> reaches a running request. Handlers run one at a time, in
/// arrival order, because DAP clients rely on it (breakpoints set before <c>configurationDone</c>). Faults that have no
/// readable request <c>seq</c> cannot get a response a client would match, so they are reported as an <c>output</c>
/// event with category <c>important</c>, which VS Code shows as a notification.
/// </remarks>
public sealed class DebugSession
{
    private readonly SessionOptions options;
    private readonly Channel<PendingRequest> queue = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<int, PendingRequest> pending = new();
    private readonly CancellationTokenSource ending = new();
    private bool authenticated;
    private int terminatedSent;

    /// <summary>Creates a session on <paramref name="connection"/> with the handlers in <paramref name="dispatcher"/>.</summary>
    public DebugSession(DapConnection connection, RequestDispatcher dispatcher, SessionOptions options)
    {
        Connection = connection;
        Dispatcher = dispatcher;
        this.options = options;
        authenticated = options.AuthToken is null;
        Engine = new EngineState(this);
    }

    /// <summary>How the session is run, and where its processes come from.</summary>
    public SessionOptions Options => options;

    /// <summary>The connection the session speaks on.</summary>
    public DapConnection Connection { get; }

    /// <summary>The handlers of this session.</summary>
    public RequestDispatcher Dispatcher { get; }

    /// <summary>The client's <c>initialize</c> arguments, once received.</summary>
    public InitializeRequestArguments? Client { get; internal set; }

    /// <summary>The process being debugged, set by the launch and attach handlers.</summary>
    public IDebuggee? Debuggee { get; set; }

    /// <summary>What the engine-facing handlers remember between this session's requests.</summary>
    public EngineState Engine { get; }

    /// <summary>Runs the session until the client disconnects or closes the stream.</summary>
    public async Task RunAsync()
    {
        var worker = Task.Run(RunHandlersAsync);
        var reader = Task.Run(ReadRequestsAsync);
        try
        {
            // Some streams (a console's stdin) ignore cancellation, so a read pending after disconnect may never
            // return: the session ends when the connection closes, not when that read does.
            var closedSignal = new TaskCompletionSource();
            await using var registration = Connection.Closed.Register(() => closedSignal.TrySetResult()).ConfigureAwait(false);
            await Task.WhenAny(reader, closedSignal.Task).ConfigureAwait(false);
        }
        finally
        {
            queue.Writer.TryComplete();
            await worker.ConfigureAwait(false);
            await ReleaseDebuggeeAsync().ConfigureAwait(false);
            await Connection.CloseAsync().ConfigureAwait(false);
            if (reader.IsCompleted)
                await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends the session once the current request's response is sent (used by <c>disconnect</c>).</summary>
    public void EndAfterResponse() => ending.Cancel();

    /// <summary>Sends the <c>terminated</c> event once per session, whoever notices the end first (a handler or the engine).</summary>
    public Task SendTerminatedAsync() =>
        Interlocked.Exchange(ref terminatedSent, 1) == 0 ? Connection.SendEventAsync(EventNames.Terminated) : Task.CompletedTask;

    private async Task ReadRequestsAsync()
    {
        while (!ending.IsCancellationRequested)
        {
            var frame = await Connection.ReadFrameAsync().ConfigureAwait(false);
            if (frame.IsEndOfStream)
                return;
            if (frame.Error is not null)
            {
                // A frame whose body could be read is answered as its request; the others can only be reported.
                if (frame.Payload is { } body && MessageDecoder.Decode(body) is { Seq: int refusedSeq } refused && authenticated)
                    await SendErrorAsync(refusedSeq, refused.Command ?? "", frame.Error, ErrorIds.MalformedMessage).ConfigureAwait(false);
                else
                    await ReportUnanswerableAsync(frame.Error).ConfigureAwait(false);
                // On a network port a refused frame (an HTTP request, a browser's Origin header) ends the connection, and
                // before authentication so does anything that is not a DAP request.
                if ((frame.IsRefusal && options.AuthToken is not null) || !authenticated)
                    return;
                continue;
            }

            var decoded = MessageDecoder.Decode(frame.Payload);
            if (decoded.Error is not null)
            {
                if (decoded.Seq is int seq && authenticated)
                    await SendErrorAsync(seq, decoded.Command ?? "", decoded.Error, ErrorIds.MalformedMessage).ConfigureAwait(false);
                else
                    await ReportUnanswerableAsync(decoded.Error).ConfigureAwait(false);
                if (!authenticated)
                    return;
                continue;
            }
            if (decoded.Request is not { } request)
            {
                if (decoded.Response is { } response && !Connection.AcceptResponse(response))
                    options.Log?.WriteLine($"trapdbg dap: ignoring a response to request {response.RequestSeq}, which the adapter did not send or no longer waits for.");
                continue;
            }

            if (!authenticated)
            {
                if (!Authenticate(request))
                {
                    options.Log?.WriteLine("trapdbg dap: closing a connection that did not present the auth token.");
                    await SendErrorAsync(request.Seq, request.Command,
                        "Authentication failed: the first request must be 'initialize' with the correct 'trapdbgAuthToken'.",
                        ErrorIds.AuthenticationFailed).ConfigureAwait(false);
                    return;
                }
                if (options.Admit?.Invoke() is { } refusal)
                {
                    options.Log?.WriteLine($"trapdbg dap: {refusal}");
                    await SendErrorAsync(request.Seq, request.Command, refusal, ErrorIds.AuthenticationFailed).ConfigureAwait(false);
                    return;
                }
                authenticated = true;
            }

            if (request.Command == Commands.Cancel)
            {
                await CancelAsync(request).ConfigureAwait(false);
                continue;
            }

            var entry = new PendingRequest(request, CancellationTokenSource.CreateLinkedTokenSource(Connection.Closed));
            pending[request.Seq] = entry;
            await queue.Writer.WriteAsync(entry).ConfigureAwait(false);
        }
    }

    private async Task RunHandlersAsync()
    {
        await foreach (var entry in queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (ending.IsCancellationRequested || entry.Cancellation.IsCancellationRequested)
                {
                    await SendCancelledAsync(entry.Request).ConfigureAwait(false);
                    continue;
                }
                await RunHandlerAsync(entry).ConfigureAwait(false);
            }
            finally
            {
                pending.TryRemove(entry.Request.Seq, out _);
                entry.Cancellation.Dispose();
            }
            if (ending.IsCancellationRequested)
            {
                // Stop reading and answer what is still queued, then let RunAsync close the connection.
                await Connection.CloseAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task RunHandlerAsync(PendingRequest entry)
    {
        var request = entry.Request;
        if (!Dispatcher.TryGetHandler(request.Command, out var handler))
        {
            string message = IsKnownCommand(request.Command)
                ? $"The '{request.Command}' request is not supported yet."
                : $"Unknown request '{request.Command}'.";
            await SendErrorAsync(request.Seq, request.Command, message, ErrorIds.UnknownCommand).ConfigureAwait(false);
            return;
        }

        var context = new RequestContext(this, request, entry.Cancellation.Token);
        try
        {
            var body = await handler.HandleAsync(context).ConfigureAwait(false);
            await Connection.SendAsync(new Response { RequestSeq = request.Seq, Command = request.Command, Success = true, Body = body })
                .ConfigureAwait(false);
            await context.RunAfterResponseAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (entry.Cancellation.IsCancellationRequested)
        {
            await SendCancelledAsync(request).ConfigureAwait(false);
        }
        catch (ProtocolArgumentException ex)
        {
            await SendErrorAsync(request.Seq, request.Command, ex.Message, ErrorIds.InvalidArguments).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            await SendErrorAsync(request.Seq, request.Command, ex.Message, ex.ErrorId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A bug in a handler must not end the session; the full trace goes to the log, one sentence to the user.
            options.Log?.WriteLine($"trapdbg dap: '{request.Command}' failed: {ex}");
            await SendErrorAsync(request.Seq, request.Command, $"'{request.Command}' failed inside the adapter: {ex.Message}", ErrorIds.InternalError)
                .ConfigureAwait(false);
        }
    }

    private async Task CancelAsync(Request request)
    {
        CancelArguments arguments;
        try
        {
            arguments = ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.CancelArguments);
        }
        catch (ProtocolArgumentException ex)
        {
            await SendErrorAsync(request.Seq, request.Command, ex.Message, ErrorIds.InvalidArguments).ConfigureAwait(false);
            return;
        }
        // A request that already finished, or an unknown id, is not an error: the client raced the response.
        if (arguments.RequestId is int id && pending.TryGetValue(id, out var target))
        {
            try
            {
                target.Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        await Connection.SendAsync(new Response { RequestSeq = request.Seq, Command = request.Command, Success = true }).ConfigureAwait(false);
    }

    private bool Authenticate(Request request)
    {
        if (request.Command != Commands.Initialize || options.AuthToken is not { } expected)
            return false;
        string? presented;
        try
        {
            presented = ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.InitializeRequestArguments).TrapdbgAuthToken;
        }
        catch (ProtocolArgumentException)
        {
            return false;
        }
        return ClientGate.TokenMatches(presented, expected);
    }

    private async Task ReleaseDebuggeeAsync()
    {
        if (Debuggee is not { } debuggee)
            return;
        Debuggee = null;
        try
        {
            // The client vanished without disconnect: do what disconnect would have done by default.
            if (debuggee.TerminatesByDefault)
                await debuggee.TerminateAsync(CancellationToken.None).ConfigureAwait(false);
            else
                await debuggee.DetachAsync(suspend: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            options.Log?.WriteLine($"trapdbg dap: releasing the debuggee failed: {ex.Message}");
        }
    }

    private Task SendCancelledAsync(Request request) =>
        Connection.SendAsync(new Response { RequestSeq = request.Seq, Command = request.Command, Success = false, Message = ResponseMessages.Cancelled });

    private Task SendErrorAsync(int requestSeq, string command, string sentence, int id)
    {
        // Handlers quote what the client sent; a long argument is cut to a prefix, never echoed whole.
        sentence = ClientText.Bound(sentence);
        command = ClientText.Short(command);
        options.Log?.WriteLine($"trapdbg dap: {sentence}");
        var body = new ErrorResponseBody { Error = new Message { Id = id, Format = sentence, ShowUser = IsUserAction(command) } };
        return Connection.SendAsync(new Response
        {
            RequestSeq = requestSeq,
            Command = command,
            Success = false,
            Message = sentence,
            Body = MessageEncoder.ToElement(body, ProtocolJsonContext.Default.ErrorResponseBody),
        });
    }

    private Task ReportUnanswerableAsync(string sentence)
    {
        sentence = ClientText.Bound(sentence);
        options.Log?.WriteLine($"trapdbg dap: {sentence}");
        return Connection.SendOutputAsync(OutputCategories.Important, sentence + "\n");
    }

    private static bool IsKnownCommand(string command) => KnownCommands.Contains(command);

    /// <summary>True for the requests a user makes deliberately, whose failure deserves a pop-up (VS Code shows an error
    /// with <c>showUser</c> as a notification). Everything else a client asks on its own (a watch expression, a source
    /// it tries to open, a stale Disassembly view, the threads after a stop) fails inline, where the client shows it.</summary>
    internal static bool IsUserAction(string command) => UserActions.Contains(command);

    private static readonly HashSet<string> UserActions =
        [
            Commands.Launch, Commands.Attach, Commands.Continue, Commands.Next, Commands.StepIn, Commands.StepOut,
            Commands.Pause, Commands.SetVariable, Commands.WriteMemory, Commands.Terminate, Commands.Disconnect,
            "restart", "setExpression", "goto", "restartFrame",
        ];

    private static readonly HashSet<string> KnownCommands =
        [
            Commands.Initialize, Commands.Launch, Commands.Attach, Commands.ConfigurationDone, Commands.SetBreakpoints,
            Commands.SetFunctionBreakpoints, Commands.SetInstructionBreakpoints, Commands.SetExceptionBreakpoints,
            Commands.DataBreakpointInfo, Commands.SetDataBreakpoints, Commands.Continue, Commands.Next, Commands.StepIn,
            Commands.StepOut, Commands.Pause, Commands.Threads, Commands.StackTrace, Commands.Scopes, Commands.Variables,
            Commands.SetVariable, Commands.Evaluate, Commands.ExceptionInfo, Commands.Modules, Commands.LoadedSources,
            Commands.Source, Commands.Disassemble, Commands.ReadMemory, Commands.WriteMemory, Commands.Disconnect,
            Commands.Terminate, Commands.Cancel, Commands.TrapSites, Commands.TrapOrigins,
            // Requests of the protocol that this adapter does not implement: a client sending one is told so, rather
            // than that the request does not exist.
            "restart", "restartFrame", "goto", "gotoTargets", "stepBack", "reverseContinue", "stepInTargets",
            "setExpression", "breakpointLocations", "locations", "terminateThreads",
        ];

    private sealed record PendingRequest(Request Request, CancellationTokenSource Cancellation);
}
