using System.Diagnostics.CodeAnalysis;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session;

/// <summary>Maps command names to handlers; each area (breakpoints, stack, variables…) registers its own.</summary>
public sealed class RequestDispatcher
{
    private readonly Dictionary<string, IRequestHandler> handlers = new(StringComparer.Ordinal);

    /// <summary>Registers a handler, replacing any earlier one for the same command.</summary>
    public void Register(IRequestHandler handler) => handlers[handler.Command] = handler;

    /// <summary>Finds the handler of <paramref name="command"/>.</summary>
    public bool TryGetHandler(string command, [NotNullWhen(true)] out IRequestHandler? handler) =>
        handlers.TryGetValue(command, out handler);

    /// <summary>The commands that have a handler.</summary>
    public IEnumerable<string> Commands => handlers.Keys;

    /// <summary>Collects the capabilities of every registered handler.</summary>
    public void Advertise(Capabilities capabilities)
    {
        foreach (var handler in handlers.Values)
            handler.Advertise(capabilities);
    }
}
