using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Types;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary>The exception filters of the session. A crash (a signal the program would die of: traps, faults, aborts it does
/// not handle) always stops, whatever the filters say; the filters govern only the optional stops, and one whose filter is off
/// is passed to the program.</summary>
public sealed class ExceptionFilterSet
{
    private volatile HashSet<string> enabled = [.. ExceptionFilterNames.All.Where(f => f.Default == true).Select(f => f.Filter)];

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

    /// <summary>True when <paramref name="stop"/> should be shown; false when it is optional and its filter is off.</summary>
    public bool Stops(StopInfo stop) => ExceptionFilterNames.Of(stop) is not { } filter || enabled.Contains(filter);

    /// <summary>True when <paramref name="filter"/> is on.</summary>
    public bool IsOn(string filter) => enabled.Contains(filter);

    /// <summary>The language events the engine must watch: Rust panics always (a panic=abort abort takes its message from the
    /// panic entry, and a panic passed to the program costs one stop), C++ throws only when their filter is on.</summary>
    public IReadOnlyCollection<LanguageEvent> Events =>
        IsOn(ExceptionFilterNames.CxxThrow) ? [LanguageEvent.RustPanic, LanguageEvent.CxxThrow] : [LanguageEvent.RustPanic];

    /// <summary>Installs the breakpoints of <see cref="Events"/> in <paramref name="process"/>.</summary>
    public Task ApplyAsync(TargetProcess process) => process.SetLanguageEventsAsync(Events);
}

/// <summary>The exception filters this adapter offers in <c>initialize</c> and which filter governs a stop.</summary>
public static class ExceptionFilterNames
{
    /// <summary>Signals the program handles itself.</summary>
    public const string HandledSignals = "handledSignals";

    /// <summary>Signals another process sends.</summary>
    public const string SentSignals = "sentSignals";

    /// <summary>Rust panics.</summary>
    public const string RustPanic = "rustPanic";

    /// <summary>C++ throws.</summary>
    public const string CxxThrow = "cppThrow";

    /// <summary>Every filter, with its default.</summary>
    public static IReadOnlyList<ExceptionBreakpointsFilter> All { get; } =
    [
        Filter(RustPanic, "Rust: panics", true,
            "Stop where a Rust panic begins, with its message and the line that panicked, before it unwinds (or aborts under panic=abort)."),
        Filter(CxxThrow, "C++: on throw", false,
            "Stop at every C++ throw, caught or not, with the exception's type and what(). An uncaught exception always stops."),
        Filter(HandledSignals, "Signals the program handles", false,
            "Stop on a signal the program has a handler for (or ignores) before the handler runs; runtimes use SIGSEGV and SIGILL on purpose. A signal the program does not handle always stops."),
        Filter(SentSignals, "Signals sent by other processes", true,
            "Stop when another process sends a signal the program handles or ignores (kill, tgkill, sigqueue). One it would die of always stops."),
    ];

    /// <summary>The filter that governs <paramref name="stop"/>, or null for a stop that always shows (a crash, a breakpoint, a step).</summary>
    public static string? Of(StopInfo stop)
    {
        if (stop.Cause != StopCause.Exception) return null;
        switch (stop.Event)
        {
            case LanguageEvent.RustPanic: return RustPanic;
            case LanguageEvent.CxxThrow: return CxxThrow;
        }
        if (stop.Fate is SignalFate.Fatal or SignalFate.NotASignal) return null;
        return stop.Diagnosis?.Kind == StopKind.SignalFromProcess ? SentSignals : HandledSignals;
    }

    private static ExceptionBreakpointsFilter Filter(string id, string label, bool on, string description) =>
        new() { Filter = id, Label = label, Description = description, Default = on };
}
