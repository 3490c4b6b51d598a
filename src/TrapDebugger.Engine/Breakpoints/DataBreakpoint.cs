namespace TrapDebugger.Engine.Breakpoints;

/// <summary>A requested data breakpoint (DAP DataBreakpoint, its data id already resolved to memory).</summary>
/// <param name="Target">The watched memory.</param>
/// <param name="Access">Which accesses stop.</param>
/// <param name="Condition">Stop only when this expression is non-zero (evaluated in the accessing thread's innermost frame).</param>
/// <param name="HitCondition">Stop only on hits that satisfy this ("5", "&gt;= 5", "% 5").</param>
public sealed record DataBreakpointSpec(DataTarget Target, DataAccess Access, string? Condition = null, string? HitCondition = null);

/// <summary>A data breakpoint (hardware watchpoint): the memory it watches, the debug register holding it, and the
/// value it last saw so that a stop can say what changed.</summary>
/// <remarks>The watch is on the address, on every thread including those created later; a watched local keeps being
/// watched after its function returns, as lldb does, because the hardware knows addresses, not scopes.</remarks>
public sealed class DataBreakpoint
{
    /// <summary>The id (DAP breakpoint id), from the same sequence as the code breakpoints.</summary>
    public required int Id { get; init; }

    /// <summary>The watched memory.</summary>
    public required DataTarget Target { get; init; }

    /// <summary>Which accesses stop.</summary>
    public required DataAccess Access { get; init; }

    /// <summary>A C expression; the breakpoint stops only when it is non-zero.</summary>
    public string? Condition { get; init; }

    /// <summary>A hit condition, as for code breakpoints.</summary>
    public string? HitCondition { get; init; }

    /// <summary>The debug register (0-3) programmed for this breakpoint, or null when it could not be set.</summary>
    public int? Slot { get; internal set; }

    /// <summary>True when a debug register watches the memory.</summary>
    public bool IsVerified => Slot is not null;

    /// <summary>Why the breakpoint could not be set; null when it is set.</summary>
    public string? Message { get; internal set; }

    /// <summary>How many times the watched memory was accessed with the condition true.</summary>
    public int HitCount { get; internal set; }

    /// <summary>The watched bytes as last seen (when set, and at each hit); null when they could not be read.</summary>
    public byte[]? LastBytes { get; internal set; }

    /// <summary>The value before the last hit, as text; null before the first hit or when it could not be read.</summary>
    public string? OldValue { get; internal set; }

    /// <summary>The value after the last hit, as text; null before the first hit or when it could not be read.</summary>
    public string? NewValue { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Target.Description} ({(Access == DataAccess.Write ? "write" : "read/write")})";
}
