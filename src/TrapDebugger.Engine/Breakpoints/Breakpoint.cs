using TrapDebugger.Dwarf;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Breakpoints;

/// <summary>What a breakpoint is attached to.</summary>
public enum BreakpointKind
{
    /// <summary>A line of a source file (all its code locations, in every module).</summary>
    SourceLine,
    /// <summary>A function by name (every out-of-line copy and every inlined instance).</summary>
    Function,
    /// <summary>One instruction address.</summary>
    Instruction,
    /// <summary>The entry of a language runtime's function for an event (Rust's panic entry, <c>__cxa_throw</c>): a stop there is an
    /// exception stop, diagnosed from the function's arguments.</summary>
    LanguageEvent,
}

/// <summary>One address a breakpoint is inserted at.</summary>
/// <param name="Address">The run-time address.</param>
/// <param name="Module">The module holding it.</param>
/// <param name="Location">The source position of the address, when known.</param>
/// <param name="IsInlinedCall">True when the address is the entry of an inlined call made from the breakpoint's line
/// (a line with no code of its own) and <paramref name="Location"/> is that call site: a stop there shows the caller at
/// the call, not yet inside the inlined function, as gdb and lldb do.</param>
public sealed record BreakpointLocation(ulong Address, Module? Module, SourceLocation? Location, bool IsInlinedCall = false);

/// <summary>A user breakpoint: where it applies, its condition, hit condition or log message, and where it is resolved.</summary>
/// <remarks>A source breakpoint whose file is in no loaded module stays pending and resolves when a module with that
/// code loads; a line without code moves to the next line that has code, and <see cref="Message"/> says so.</remarks>
public sealed class Breakpoint
{
    private volatile BreakpointLocation[] _locations = [];

    /// <summary>The id (DAP breakpoint id).</summary>
    public required int Id { get; init; }

    /// <summary>The kind.</summary>
    public required BreakpointKind Kind { get; init; }

    /// <summary>The source file (as the client gave it) for a line breakpoint.</summary>
    public string? File { get; init; }

    /// <summary>The requested 1-based line for a line breakpoint.</summary>
    public int Line { get; init; }

    /// <summary>The function name for a function breakpoint.</summary>
    public string? FunctionName { get; init; }

    /// <summary>The event of a <see cref="BreakpointKind.LanguageEvent"/> breakpoint.</summary>
    public Traps.LanguageEvent Event { get; init; }

    /// <summary>The address for an instruction breakpoint.</summary>
    public ulong? InstructionAddress { get; init; }

    /// <summary>A C expression; the breakpoint stops only when it is non-zero.</summary>
    public string? Condition { get; init; }

    /// <summary>A hit condition: "N" or "== N" (the Nth hit), "&gt;= N", "&gt; N", "% N" (every Nth hit).</summary>
    public string? HitCondition { get; init; }

    /// <summary>For a logpoint: the message to print, with <c>{expression}</c> parts evaluated; a logpoint never stops.</summary>
    public string? LogMessage { get; init; }

    /// <summary>How many times the breakpoint was reached (its condition true).</summary>
    public int HitCount { get; internal set; }

    /// <summary>Where the breakpoint is inserted; empty while pending.</summary>
    public IReadOnlyList<BreakpointLocation> Locations => _locations;

    /// <summary>True when the breakpoint has at least one location.</summary>
    public bool IsVerified => _locations.Length > 0;

    /// <summary>The line the breakpoint actually sits on (differs from <see cref="Line"/> when moved).</summary>
    public int? ResolvedLine => _locations.FirstOrDefault(l => l.Location is not null)?.Location is { } l ? (int)l.Line : null;

    /// <summary>Why the breakpoint is pending, or that it was moved; null when it sits exactly where requested.</summary>
    public string? Message { get; internal set; }

    internal void SetLocations(IEnumerable<BreakpointLocation> locations) => _locations = locations.ToArray();

    /// <summary>True when hit number <paramref name="hit"/> satisfies <see cref="HitCondition"/> (always true without one).</summary>
    public bool HitConditionMet(int hit) => HitConditionMet(HitCondition, hit);

    /// <summary>True when hit number <paramref name="hit"/> satisfies <paramref name="hitCondition"/> (always true without one).</summary>
    internal static bool HitConditionMet(string? hitCondition, int hit)
    {
        if (string.IsNullOrWhiteSpace(hitCondition)) return true;
        var text = hitCondition.Trim();
        string op = "==";
        foreach (var candidate in (string[])[">=", "<=", "==", ">", "<", "%"])
        {
            if (text.StartsWith(candidate, StringComparison.Ordinal))
            {
                op = candidate;
                text = text[candidate.Length..].Trim();
                break;
            }
        }
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n))
            return true;
        return op switch
        {
            ">=" => hit >= n,
            "<=" => hit <= n,
            ">" => hit > n,
            "<" => hit < n,
            "%" => n > 0 && hit % n == 0,
            _ => hit == n,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        BreakpointKind.SourceLine => $"{File}:{Line}",
        BreakpointKind.Function => FunctionName ?? "?",
        _ => $"0x{InstructionAddress:x}",
    };
}
