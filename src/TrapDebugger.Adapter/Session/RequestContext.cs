using TrapDebugger.Adapter.Transport;
using TrapDebugger.Protocol.Messages;

namespace TrapDebugger.Adapter.Session;

/// <summary>What a handler gets besides its typed arguments: the request, its cancellation, and the session to send events on.</summary>
public sealed class RequestContext
{
    /// <summary>Creates the context of one request.</summary>
    public RequestContext(DebugSession session, Request request, CancellationToken cancellationToken)
    {
        Session = session;
        Request = request;
        CancellationToken = cancellationToken;
    }

    /// <summary>The session the request belongs to.</summary>
    public DebugSession Session { get; }

    /// <summary>The raw request.</summary>
    public Request Request { get; }

    /// <summary>Cancelled when the client sends <c>cancel</c> for this request or the session ends.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The connection, for sending events.</summary>
    public DapConnection Connection => Session.Connection;

    private List<Func<Task>>? afterResponse;

    /// <summary>Runs <paramref name="action"/> once the success response has been sent (e.g. <c>initialized</c> after <c>initialize</c>).</summary>
    public void AfterResponse(Func<Task> action) => (afterResponse ??= []).Add(action);

    internal async Task RunAfterResponseAsync()
    {
        if (afterResponse is null)
            return;
        foreach (var action in afterResponse)
            await action().ConfigureAwait(false);
    }
}
