namespace TrapDebugger.Remote.Agent;

/// <summary>How one agent connection is served.</summary>
public sealed record AgentOptions
{
    /// <summary>The token a client must present first (a TCP agent); null when the transport itself is trusted (stdio).</summary>
    public string? Token { get; init; }

    /// <summary>Compares a presented token with <see cref="Token"/> in constant time.</summary>
    public Func<string?, string, bool>? TokenMatches { get; init; }

    /// <summary>Called once a client has authenticated: null admits it, otherwise the sentence to refuse it with.</summary>
    public Func<string?>? Admit { get; init; }

    /// <summary>Where the agent writes what happens to its connections (stderr), or null.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>The platform whose processes are served (this machine's, over ptrace).</summary>
    public ITargetPlatform Platform { get; init; } = Native.LocalPlatform.Instance;
}
