using System.Collections.Concurrent;
using TrapDebugger.Engine.Expressions;

namespace TrapDebugger.Engine.Breakpoints;

/// <summary>The user breakpoints inserted at one address, and the one <see cref="BreakpointDecision"/> the target runs for
/// their hits.</summary>
/// <remarks>The target runs the decision where it sees the hit (a live process: on its tracer thread, the other threads
/// still running), so a false condition, a hit count not reached or a logpoint lets the thread go on with no thread
/// switch and no stop of the process.</remarks>
internal sealed class CodeSite
{
    private volatile Breakpoint[] _breakpoints = [];

    public CodeSite(ulong address, Func<CodeSite, BreakpointHit, bool> decide)
    {
        Address = address;
        Decision = hit => decide(this, hit);
    }

    /// <summary>The address.</summary>
    public ulong Address { get; }

    /// <summary>The decision inserted at the address for these breakpoints.</summary>
    public BreakpointDecision Decision { get; }

    /// <summary>The breakpoints here (a snapshot: the decision reads it while requests change it).</summary>
    public Breakpoint[] Breakpoints => _breakpoints;

    /// <summary>Expressions (conditions, the parts of log messages) parsed at this address, by text: the names of types
    /// they may cast to are this address's, so each is parsed once.</summary>
    public ConcurrentDictionary<string, ParsedExpression> Parsed { get; } = new();

    /// <summary>Adds <paramref name="breakpoint"/>. Call under the table's lock.</summary>
    public void Add(Breakpoint breakpoint)
    {
        if (!_breakpoints.Contains(breakpoint)) _breakpoints = [.. _breakpoints, breakpoint];
    }

    /// <summary>Removes <paramref name="breakpoint"/>; true when none is left. Call under the table's lock.</summary>
    public bool Remove(Breakpoint breakpoint)
    {
        _breakpoints = _breakpoints.Where(b => b != breakpoint).ToArray();
        return _breakpoints.Length == 0;
    }
}

/// <summary>What the decision at a site concluded for one hit that it wants reported: the breakpoints that stop.</summary>
internal sealed record HitVerdict(ulong Address, IReadOnlyList<Breakpoint> Stopping);
