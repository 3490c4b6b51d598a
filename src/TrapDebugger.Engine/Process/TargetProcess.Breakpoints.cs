using System.Text;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Values;
using TrapDebugger.Native.Events;

namespace TrapDebugger.Engine.Process;

public sealed partial class TargetProcess
{
    private readonly Lock _breakpointGate = new();
    private readonly List<Breakpoint> _breakpoints = [];
    private readonly Dictionary<ulong, List<Breakpoint>> _sites = [];
    private int _nextBreakpointId = 1;

    /// <summary>Every user breakpoint.</summary>
    public IReadOnlyList<Breakpoint> Breakpoints
    {
        get { lock (_breakpointGate) return _breakpoints.ToList(); }
    }

    /// <summary>The addresses where user breakpoints are inserted.</summary>
    public IReadOnlySet<ulong> BreakpointAddresses
    {
        get { lock (_breakpointGate) return _sites.Keys.ToHashSet(); }
    }

    /// <summary>Replaces the breakpoints of source file <paramref name="file"/> with <paramref name="specs"/> (DAP setBreakpoints semantics).</summary>
    public async Task<IReadOnlyList<Breakpoint>> SetSourceBreakpointsAsync(string file, IReadOnlyList<SourceBreakpointSpec> specs)
    {
        var old = Breakpoints.Where(b => b.Kind == BreakpointKind.SourceLine && SameFile(b.File, file)).ToList();
        var created = specs.Select(s => new Breakpoint
        {
            Id = Interlocked.Increment(ref _nextBreakpointId) - 1,
            Kind = BreakpointKind.SourceLine,
            File = file,
            Line = s.Line,
            Condition = NullIfEmpty(s.Condition),
            HitCondition = NullIfEmpty(s.HitCondition),
            LogMessage = NullIfEmpty(s.LogMessage),
        }).ToList();
        await ReplaceAsync(old, created).ConfigureAwait(false);
        return created;
    }

    /// <summary>Replaces every function breakpoint with <paramref name="specs"/> (DAP setFunctionBreakpoints semantics).</summary>
    public async Task<IReadOnlyList<Breakpoint>> SetFunctionBreakpointsAsync(IReadOnlyList<FunctionBreakpointSpec> specs)
    {
        var old = Breakpoints.Where(b => b.Kind == BreakpointKind.Function).ToList();
        var created = specs.Select(s => new Breakpoint
        {
            Id = Interlocked.Increment(ref _nextBreakpointId) - 1,
            Kind = BreakpointKind.Function,
            FunctionName = s.Name.Trim(),
            Condition = NullIfEmpty(s.Condition),
            HitCondition = NullIfEmpty(s.HitCondition),
        }).ToList();
        await ReplaceAsync(old, created).ConfigureAwait(false);
        return created;
    }

    /// <summary>Replaces every instruction breakpoint with <paramref name="specs"/> (DAP setInstructionBreakpoints semantics).</summary>
    public async Task<IReadOnlyList<Breakpoint>> SetInstructionBreakpointsAsync(IReadOnlyList<InstructionBreakpointSpec> specs)
    {
        var old = Breakpoints.Where(b => b.Kind == BreakpointKind.Instruction).ToList();
        var created = specs.Select(s => new Breakpoint
        {
            Id = Interlocked.Increment(ref _nextBreakpointId) - 1,
            Kind = BreakpointKind.Instruction,
            InstructionAddress = s.Address,
            Condition = NullIfEmpty(s.Condition),
            HitCondition = NullIfEmpty(s.HitCondition),
        }).ToList();
        await ReplaceAsync(old, created).ConfigureAwait(false);
        return created;
    }

    /// <summary>Replaces the language-event breakpoints (Rust's panic entry, <c>__cxa_throw</c>) with one for each of <paramref name="events"/>.</summary>
    /// <remarks>A hit is an exception stop diagnosed from the entry's arguments; the breakpoints resolve in every module loaded
    /// now or later, like function breakpoints, and never show in the client's breakpoint list.</remarks>
    public async Task SetLanguageEventsAsync(IReadOnlyCollection<Traps.LanguageEvent> events)
    {
        var old = Breakpoints.Where(b => b.Kind == BreakpointKind.LanguageEvent).ToList();
        var created = events.Distinct().Where(e => e != Traps.LanguageEvent.None).Select(e => new Breakpoint
        {
            Id = Interlocked.Increment(ref _nextBreakpointId) - 1,
            Kind = BreakpointKind.LanguageEvent,
            Event = e,
        }).ToList();
        await ReplaceAsync(old, created).ConfigureAwait(false);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static bool SameFile(string? a, string? b) => a is not null && b is not null &&
        (a == b || Path.GetFullPath(a) == Path.GetFullPath(b));

    private async Task ReplaceAsync(List<Breakpoint> old, List<Breakpoint> created)
    {
        foreach (var b in old) await UninstallAsync(b).ConfigureAwait(false);
        lock (_breakpointGate)
        {
            foreach (var b in old) _breakpoints.Remove(b);
            _breakpoints.AddRange(created);
        }
        foreach (var b in created) await InstallAsync(b, Target.Modules).ConfigureAwait(false);
    }

    private async Task InstallAsync(Breakpoint breakpoint, IEnumerable<Module> modules)
    {
        var existing = breakpoint.Locations.ToList();
        var added = new List<BreakpointLocation>();
        foreach (var module in modules)
        {
            foreach (var location in BreakpointResolver.Resolve(breakpoint, module))
            {
                if (existing.Any(l => l.Address == location.Address) || added.Any(l => l.Address == location.Address)) continue;
                if (_exited) break;
                try
                {
                    await _native.InsertBreakpointAsync(location.Address).ConfigureAwait(false);
                }
                catch (Native.Errors.TraceException e)
                {
                    breakpoint.Message = e.Message;
                    continue;
                }
                added.Add(location);
                lock (_breakpointGate)
                {
                    if (!_sites.TryGetValue(location.Address, out var list)) _sites[location.Address] = list = [];
                    list.Add(breakpoint);
                }
            }
        }
        if (added.Count == 0 && existing.Count == 0)
        {
            if (breakpoint.Kind == BreakpointKind.LanguageEvent) return;
            breakpoint.Message ??= breakpoint.Kind switch
            {
                BreakpointKind.SourceLine => $"pending: no loaded module has code for {Path.GetFileName(breakpoint.File)}:{breakpoint.Line}",
                BreakpointKind.Function => $"pending: no loaded module has a function named '{breakpoint.FunctionName}'",
                _ => $"pending: 0x{breakpoint.InstructionAddress:x} is not in a loaded module",
            };
            return;
        }
        breakpoint.SetLocations(existing.Concat(added));
        breakpoint.Message = breakpoint.Kind == BreakpointKind.SourceLine && breakpoint.ResolvedLine is { } line && line != breakpoint.Line
            ? $"moved from line {breakpoint.Line} to line {line}, the next line with code"
            : null;
        if ((existing.Count > 0 || added.Count > 0) && breakpoint.Kind != BreakpointKind.LanguageEvent) Raise(new BreakpointChangedEvent(breakpoint));
    }

    private async Task UninstallAsync(Breakpoint breakpoint)
    {
        foreach (var location in breakpoint.Locations)
        {
            lock (_breakpointGate)
            {
                if (_sites.TryGetValue(location.Address, out var list))
                {
                    list.Remove(breakpoint);
                    if (list.Count == 0) _sites.Remove(location.Address);
                }
            }
            if (_exited) continue;
            try
            {
                await _native.RemoveBreakpointAsync(location.Address).ConfigureAwait(false);
            }
            catch (Native.Errors.TraceException)
            {
                // The module was unloaded with the breakpoint in it.
            }
        }
        breakpoint.SetLocations([]);
    }

    private void ResolvePendingBreakpoints(Module module)
    {
        foreach (var b in Breakpoints)
        {
            // Runs on the event path while the process may be running; inserting through /proc/pid/mem is safe then.
            InstallAsync(b, [module]).GetAwaiter().GetResult();
        }
    }

    private void ResolveAllBreakpoints()
    {
        List<Breakpoint> hadSites;
        lock (_breakpointGate)
        {
            _sites.Clear();
            hadSites = _breakpoints.Where(b => b.IsVerified).ToList();
            foreach (var b in _breakpoints)
            {
                b.SetLocations([]);
                b.Message = null;
            }
        }
        foreach (var b in Breakpoints) InstallAsync(b, Target.Modules).GetAwaiter().GetResult();
        // A breakpoint of the program an exec replaced is pending again: tell the client it is no longer verified.
        foreach (var b in hadSites.Where(b => !b.IsVerified)) Raise(new BreakpointChangedEvent(b));
    }

    private async Task RemoveAllBreakpointSitesAsync()
    {
        foreach (var b in Breakpoints) await UninstallAsync(b).ConfigureAwait(false);
    }

    /// <summary>Applies conditions, hit conditions and log messages of the breakpoints at a breakpoint stop.</summary>
    private async Task<(bool Report, IReadOnlyList<int> Ids, StopCause Cause)> EvaluateBreakpointHitAsync(ProcessStopped stop)
    {
        List<Breakpoint> hit;
        lock (_breakpointGate)
        {
            hit = _sites.TryGetValue(stop.Address, out var list) ? list.ToList() : [];
        }
        if (hit.Count == 0) return (true, [], StopCause.Breakpoint);
        var stopping = new List<Breakpoint>();
        foreach (var b in hit)
        {
            if (b.Condition is { } condition)
            {
                bool met;
                try
                {
                    var (value, _) = await EvaluateAtThreadAsync(stop.ThreadId, condition).ConfigureAwait(false);
                    met = IsNonZero(value);
                }
                catch (Exception e) when (e is ExpressionException or ValueException or EngineException)
                {
                    Raise(new OutputEvent("console", $"breakpoint {b.Id}: condition '{condition}' could not be evaluated ({e.Message}); stopping\n"));
                    met = true;
                }
                if (!met) continue;
            }
            b.HitCount++;
            if (!b.HitConditionMet(b.HitCount)) continue;
            if (b.LogMessage is { } message)
            {
                Raise(new OutputEvent("console", await FormatLogMessageAsync(stop.ThreadId, message).ConfigureAwait(false) + "\n"));
                continue;
            }
            stopping.Add(b);
        }
        if (stopping.Count == 0) return (false, [], StopCause.Breakpoint);
        // Stopped where the inlined calls of a line without code of its own begin: the thread shows the line's call site
        // (the frames of the calls it is about to make stay hidden), as gdb and lldb show it.
        var calls = stopping.Select(b => b.Locations.FirstOrDefault(l => l.Address == stop.Address && l.IsInlinedCall)).ToList();
        if (calls.All(l => l?.Location is not null))
        {
            lock (_stacks)
            {
                _stoppedAtInlinedCall[stop.ThreadId] = calls[0]!.Location!;
                _stacks.Remove(stop.ThreadId);
            }
        }
        var cause = stopping[0].Kind switch
        {
            BreakpointKind.LanguageEvent => StopCause.Exception,
            BreakpointKind.Function => StopCause.FunctionBreakpoint,
            BreakpointKind.Instruction => StopCause.InstructionBreakpoint,
            _ => StopCause.Breakpoint,
        };
        return (true, stopping.Select(b => b.Id).ToList(), cause);
    }

    private bool IsNonZero(DebugValue value)
    {
        var t = value.Canonical;
        if (t is Dwarf.Types.BaseType { IsFloat: true }) return value.GetDouble(_memory) != 0;
        if (DebugValue.IsIntegral(t)) return value.GetRawInteger(_memory) != 0;
        throw new ExpressionException($"a value of type '{value.Type.DisplayName}' is not a condition");
    }

    private async Task<string> FormatLogMessageAsync(int threadId, string message)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < message.Length)
        {
            int open = message.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(message, i, message.Length - i);
                break;
            }
            sb.Append(message, i, open - i);
            int close = message.IndexOf('}', open + 1);
            if (close < 0)
            {
                sb.Append(message, open, message.Length - open);
                break;
            }
            var expression = message[(open + 1)..close];
            try
            {
                var (value, format) = await EvaluateAtThreadAsync(threadId, expression).ConfigureAwait(false);
                sb.Append(new ValueFormatter(_memory).Format(value, format));
            }
            catch (Exception e) when (e is ExpressionException or ValueException or EngineException)
            {
                sb.Append('<').Append(e.Message).Append('>');
            }
            i = close + 1;
        }
        return sb.ToString();
    }
}
