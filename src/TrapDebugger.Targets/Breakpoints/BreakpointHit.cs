namespace TrapDebugger.Targets;

/// <summary>Decides, where a breakpoint hit is seen, whether the hit is reported as a stop; false lets the thread run on.</summary>
/// <remarks>A decision must be quick and must not wait on other requests to the same target: a live process runs it on its
/// tracer thread as soon as it sees the hit (the thread that hit is stopped; others may still run), so a hit it passes
/// over costs no thread switch and is never reported.</remarks>
public delegate bool BreakpointDecision(BreakpointHit hit);

/// <summary>One insertion of a software breakpoint: its address and, when the hit is to be decided where it is seen, the
/// decision (see <see cref="ITarget.InsertBreakpointAsync"/>).</summary>
public readonly record struct BreakpointInsertion(ulong Address, BreakpointDecision? Decide = null)
{
    /// <summary>Does <paramref name="act"/> for each insertion in turn; returns the failure of each (null where it worked).</summary>
    public static async Task<IReadOnlyList<TargetException?>> EachAsync(IReadOnlyList<BreakpointInsertion> insertions, Func<BreakpointInsertion, Task> act)
    {
        ArgumentNullException.ThrowIfNull(insertions);
        ArgumentNullException.ThrowIfNull(act);
        var failures = new TargetException?[insertions.Count];
        for (var i = 0; i < insertions.Count; i++)
        {
            try
            {
                await act(insertions[i]).ConfigureAwait(false);
            }
            catch (TargetException e)
            {
                failures[i] = e;
            }
        }
        return failures;
    }

    /// <summary>Makes <paramref name="insertions"/> in <paramref name="target"/> and returns the failure of each (null where it
    /// went in); a batch the target refuses as a whole (the process ended meanwhile) is the failure of each insertion.</summary>
    public static async Task<IReadOnlyList<TargetException?>> InsertEachAsync(ITarget target, IReadOnlyList<BreakpointInsertion> insertions)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(insertions);
        try
        {
            return await target.InsertBreakpointsAsync(insertions).ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            return [.. insertions.Select(_ => e)];
        }
    }

    /// <summary>Throws the failure of the one insertion <paramref name="outcomes"/> answers for, if it failed.</summary>
    public static async Task ThrowIfFailed(Task<IReadOnlyList<TargetException?>> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if ((await outcomes.ConfigureAwait(false))[0] is { } failure) throw failure;
    }
}

/// <summary>What a <see cref="BreakpointDecision"/> sees: the thread that hit the breakpoint, its registers, and the memory.</summary>
/// <param name="ThreadId">The thread that executed the breakpoint.</param>
/// <param name="Address">The breakpoint address (the thread's pc has already been set back to it).</param>
/// <param name="Registers">The thread's general registers at the hit.</param>
/// <param name="Memory">The process memory, with breakpoint bytes masked.</param>
public sealed record BreakpointHit(int ThreadId, ulong Address, GeneralRegisters Registers, IByteSource Memory);
