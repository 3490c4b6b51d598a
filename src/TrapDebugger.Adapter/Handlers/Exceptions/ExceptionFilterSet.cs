using TrapDebugger.Protocol.Types;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary>The exception filters of the session: which kinds of trap and signal stop the program. All are on until
/// the client says otherwise; a stop whose filter is off is passed to the program.</summary>
public sealed class ExceptionFilterSet
{
    private volatile HashSet<string> enabled = [.. ExceptionFilterNames.All.Select(f => f.Filter)];

    /// <summary>Turns on exactly <paramref name="filters"/>.</summary>
    /// <exception cref="Session.RequestFailedException">A filter id is not one this adapter offers.</exception>
    public void Set(IEnumerable<string> filters)
    {
        var next = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in filters)
        {
            if (!ExceptionFilterNames.All.Any(k => k.Filter == f))
                throw new Session.RequestFailedException($"setExceptionBreakpoints: '{f}' is not an exception filter of this adapter.");
            next.Add(f);
        }
        enabled = next;
    }

    /// <summary>True when a stop diagnosed as <paramref name="diagnosis"/> should stop the program.</summary>
    public bool Stops(StopDiagnosis diagnosis) => enabled.Contains(ExceptionFilterNames.Of(diagnosis));

    /// <summary>True when <paramref name="filter"/> is on.</summary>
    public bool IsOn(string filter) => enabled.Contains(filter);
}

/// <summary>The exception filters this adapter offers in <c>initialize</c> and how a stop maps to one.</summary>
public static class ExceptionFilterNames
{
    /// <summary>Every filter, each on by default.</summary>
    public static IReadOnlyList<ExceptionBreakpointsFilter> All { get; } =
    [
        Filter("verboseTrap", "Verbose traps", "__builtin_verbose_trap, libc++ hardening and clang ≥ 22 UBSan messages, including -O2 merged traps"),
        Filter("plainTrap", "Plain traps", "__builtin_trap, -ftrapv and int3 instructions in the program"),
        Filter("ubsanTrap", "UBSan traps", "UndefinedBehaviorSanitizer checks in trap mode (ud1)"),
        Filter("assertion", "Assertions", "failed assert()"),
        Filter("SIGSEGV", "SIGSEGV", "invalid memory access (null pointer, unmapped, read-only, stack overflow)"),
        Filter("SIGBUS", "SIGBUS", "bus error"),
        Filter("SIGFPE", "SIGFPE", "arithmetic error (division by zero)"),
        Filter("SIGILL", "SIGILL", "illegal instruction that is not a trap"),
        Filter("SIGABRT", "SIGABRT", "abort() without an assertion"),
        Filter("SIGTRAP", "SIGTRAP", "trace trap not set by the debugger"),
        Filter("otherSignals", "Other signals", "any other signal that stops the program (SIGTERM, SIGUSR1, SIGPIPE…)"),
    ];

    /// <summary>The filter that governs a stop diagnosed as <paramref name="diagnosis"/>.</summary>
    public static string Of(StopDiagnosis diagnosis) => diagnosis.Kind switch
    {
        StopKind.VerboseTrap or StopKind.MergedTrap => "verboseTrap",
        StopKind.PlainTrap or StopKind.BreakpointInstruction => "plainTrap",
        StopKind.UbsanTrap => "ubsanTrap",
        StopKind.Assertion => "assertion",
        _ => diagnosis.Signal switch
        {
            11 => "SIGSEGV",
            7 => "SIGBUS",
            8 => "SIGFPE",
            4 => "SIGILL",
            6 => "SIGABRT",
            5 => "SIGTRAP",
            _ => "otherSignals",
        },
    };

    private static ExceptionBreakpointsFilter Filter(string id, string label, string description) =>
        new() { Filter = id, Label = label, Description = description, Default = true };
}
