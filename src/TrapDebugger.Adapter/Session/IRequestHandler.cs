using System.Text.Json;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session;

/// <summary>Handles one DAP command; registered with a <see cref="RequestDispatcher"/>.</summary>
public interface IRequestHandler
{
    /// <summary>The command this handler answers, e.g. <c>setBreakpoints</c>.</summary>
    string Command { get; }

    /// <summary>Sets the capabilities this handler makes true; only what works is advertised.</summary>
    void Advertise(Capabilities capabilities);

    /// <summary>Handles the request and returns the response body (null for none); throws <see cref="RequestFailedException"/> for user errors.</summary>
    Task<JsonElement?> HandleAsync(RequestContext context);
}
