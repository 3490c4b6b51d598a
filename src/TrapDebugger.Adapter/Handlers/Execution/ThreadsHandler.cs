using System.Text.Json;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Execution;

/// <summary><c>threads</c>: every thread of the process with the name the kernel gives it.</summary>
public sealed class ThreadsHandler : IRequestHandler
{
    /// <inheritdoc/>
    public string Command => Commands.Threads;

    /// <inheritdoc/>
    public void Advertise(Capabilities capabilities)
    {
    }

    /// <inheritdoc/>
    public Task<JsonElement?> HandleAsync(RequestContext context)
    {
        var state = context.Session.Engine;
        var body = new ThreadsResponseBody();
        // Without a process (or after it ended) there are no threads; DAP clients ask anyway.
        if (state.Debuggee is { HasEnded: false } debuggee && !debuggee.Process.HasExited)
        {
            foreach (var thread in debuggee.Process.Threads.OrderBy(t => t.Id))
                body.Threads.Add(new DapThread { Id = thread.Id, Name = thread.Name });
            context.AfterResponse(() =>
            {
                debuggee.NoteThreadsAnswered();
                return Task.CompletedTask;
            });
        }
        return Task.FromResult<JsonElement?>(MessageEncoder.ToElement(body, ProtocolJsonContext.Default.ThreadsResponseBody));
    }
}
