using System.Collections.Concurrent;
using System.Text;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Breakpoints;

/// <summary>The user's breakpoints of one process: code breakpoints (line, function, instruction) and data breakpoints,
/// one id space, and the one table of the addresses they are inserted at.</summary>
/// <remarks>This is the only model of what the user asked for; the target keeps only the bytes it patched, counted per
/// insertion, so the temporary breakpoints of stepping share addresses with these without either knowing of the other.
/// Each address gets one insertion with a decision (<see cref="CodeSite"/>): conditions, hit counts and log messages are
/// evaluated there, where the target sees the hit, from the registers it hands over; a hit is reported only when a
/// breakpoint stops, and the decision leaves which ones in a <see cref="HitVerdict"/> for the stop's classification.</remarks>
internal sealed class BreakpointTable(ITarget target, Target modules, FrameSymbolizer symbolizer, Action<DebugEvent> raise, Func<bool> hasExited)
{
    /// <summary>How many data breakpoints x86-64 can hold at once: one per debug address register DR0-DR3.</summary>
    public const int MaxDataBreakpoints = 4;

    private readonly ITargetMemory _memory = target.Memory;
    private readonly Lock _gate = new();
    private readonly List<Breakpoint> _breakpoints = [];
    // The site table: every address a code breakpoint is inserted at, and the breakpoints there.
    private readonly Dictionary<ulong, CodeSite> _sites = [];
    // The breakpoints that stop at each thread's last reported hit, left by the decision for the stop's classification.
    private readonly ConcurrentDictionary<int, HitVerdict> _verdicts = new();
    private readonly List<DataBreakpoint> _dataBreakpoints = [];
    private int _nextId = 1;

    /// <summary>Every code breakpoint.</summary>
    public IReadOnlyList<Breakpoint> Breakpoints
    {
        get { lock (_gate) return _breakpoints.ToList(); }
    }

    /// <summary>The addresses where code breakpoints are inserted.</summary>
    public IReadOnlySet<ulong> Addresses
    {
        get { lock (_gate) return _sites.Keys.ToHashSet(); }
    }

    /// <summary>Every data breakpoint, set or not, in the order they were requested.</summary>
    public IReadOnlyList<DataBreakpoint> DataBreakpoints
    {
        get { lock (_gate) return _dataBreakpoints.ToList(); }
    }

    /// <summary>True when a code breakpoint is inserted at <paramref name="address"/>.</summary>
    public bool IsSite(ulong address)
    {
        lock (_gate) return _sites.ContainsKey(address);
    }

    private int NextId() => Interlocked.Increment(ref _nextId) - 1;

    /// <summary>Replaces the breakpoints of source file <paramref name="file"/> with <paramref name="specs"/> (DAP setBreakpoints semantics).</summary>
    public async Task<IReadOnlyList<Breakpoint>> SetSourceBreakpointsAsync(string file, IReadOnlyList<SourceBreakpointSpec> specs)
    {
        var old = Breakpoints.Where(b => b.Kind == BreakpointKind.SourceLine && SameFile(b.File, file)).ToList();
        var created = specs.Select(s => new Breakpoint
        {
            Id = NextId(),
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
            Id = NextId(),
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
            Id = NextId(),
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
            Id = NextId(),
            Kind = BreakpointKind.LanguageEvent,
            Event = e,
        }).ToList();
        await ReplaceAsync(old, created).ConfigureAwait(false);
    }

    /// <summary>The language event whose breakpoint is at <paramref name="address"/>.</summary>
    public Traps.LanguageEvent LanguageEventAt(ulong address)
    {
        lock (_gate)
        {
            return _sites.TryGetValue(address, out var site) && site.Breakpoints.FirstOrDefault(b => b.Kind == BreakpointKind.LanguageEvent) is { } b
                ? b.Event
                : Traps.LanguageEvent.None;
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static bool SameFile(string? a, string? b) => a is not null && b is not null &&
        (a == b || Path.GetFullPath(a) == Path.GetFullPath(b));

    private async Task ReplaceAsync(List<Breakpoint> old, List<Breakpoint> created)
    {
        await UninstallAsync(old).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var b in old) _breakpoints.Remove(b);
            _breakpoints.AddRange(created);
        }
        await InstallAsync(created, modules.Modules).ConfigureAwait(false);
    }

    /// <summary>Resolves <paramref name="breakpoints"/> in <paramref name="inModules"/> and inserts the sites that are new, all
    /// in one request to the target.</summary>
    private async Task InstallAsync(IReadOnlyList<Breakpoint> breakpoints, IReadOnlyList<Module> inModules)
    {
        var plans = new List<(Breakpoint Breakpoint, List<BreakpointLocation> Existing, List<BreakpointLocation> Added)>(breakpoints.Count);
        var fresh = new List<CodeSite>();
        foreach (var breakpoint in breakpoints)
        {
            var existing = breakpoint.Locations.ToList();
            var added = new List<BreakpointLocation>();
            foreach (var module in inModules)
            {
                foreach (var location in BreakpointResolver.Resolve(breakpoint, module))
                {
                    if (existing.Any(l => l.Address == location.Address) || added.Any(l => l.Address == location.Address)) continue;
                    if (hasExited()) break;
                    lock (_gate)
                    {
                        if (!_sites.TryGetValue(location.Address, out var site))
                        {
                            _sites[location.Address] = site = new CodeSite(location.Address, Decide);
                            fresh.Add(site);
                        }
                        site.Add(breakpoint);
                    }
                    added.Add(location);
                }
            }
            plans.Add((breakpoint, existing, added));
        }
        if (fresh.Count > 0)
        {
            var failures = await BreakpointInsertion.InsertEachAsync(target, [.. fresh.Select(s => new BreakpointInsertion(s.Address, s.Decision))]).ConfigureAwait(false);
            for (var i = 0; i < fresh.Count; i++)
            {
                if (failures[i] is not { } failure) continue;
                var address = fresh[i].Address;
                lock (_gate)
                {
                    if (_sites.GetValueOrDefault(address) == fresh[i]) _sites.Remove(address);
                }
                foreach (var (breakpoint, _, added) in plans)
                {
                    if (added.RemoveAll(l => l.Address == address) > 0) breakpoint.Message = failure.Message;
                }
            }
        }
        foreach (var (breakpoint, existing, added) in plans) Settle(breakpoint, existing, added);
    }

    /// <summary>Gives <paramref name="breakpoint"/> its locations once its new sites are in, and says what became of it.</summary>
    private void Settle(Breakpoint breakpoint, List<BreakpointLocation> existing, List<BreakpointLocation> added)
    {
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
        if (breakpoint.Kind != BreakpointKind.LanguageEvent) raise(new BreakpointChangedEvent(breakpoint));
    }

    /// <summary>Takes <paramref name="breakpoints"/> out of the site table and the sites left without one out of the target,
    /// in one request.</summary>
    private async Task UninstallAsync(IReadOnlyList<Breakpoint> breakpoints)
    {
        var emptied = new List<CodeSite>();
        foreach (var breakpoint in breakpoints)
        {
            foreach (var location in breakpoint.Locations)
            {
                lock (_gate)
                {
                    if (_sites.TryGetValue(location.Address, out var site) && site.Remove(breakpoint))
                    {
                        _sites.Remove(location.Address);
                        emptied.Add(site);
                    }
                }
            }
            breakpoint.SetLocations([]);
        }
        if (emptied.Count == 0 || hasExited()) return;
        try
        {
            // A failed removal is a module unloaded with the breakpoint in it.
            await target.RemoveBreakpointsAsync([.. emptied.Select(s => new BreakpointInsertion(s.Address, s.Decision))]).ConfigureAwait(false);
        }
        catch (TargetException)
        {
            // The process ended meanwhile.
        }
    }

    /// <summary>Inserts the pending (and partly resolved) breakpoints that have code in <paramref name="module"/>, which
    /// has just loaded.</summary>
    public void ResolvePending(Module module)
    {
        // Runs on the event path while the process may be running; inserting through /proc/pid/mem is safe then.
        InstallAsync(Breakpoints, [module]).GetAwaiter().GetResult();
    }

    /// <summary>Resolves every breakpoint again in the modules loaded now: after an exec the old addresses are gone.</summary>
    public void ResolveAll()
    {
        List<Breakpoint> hadSites;
        lock (_gate)
        {
            _sites.Clear();
            _verdicts.Clear();
            hadSites = _breakpoints.Where(b => b.IsVerified).ToList();
            foreach (var b in _breakpoints)
            {
                b.SetLocations([]);
                b.Message = null;
            }
        }
        InstallAsync(Breakpoints, modules.Modules).GetAwaiter().GetResult();
        // A breakpoint of the program an exec replaced is pending again: tell the client it is no longer verified.
        foreach (var b in hadSites.Where(b => !b.IsVerified)) raise(new BreakpointChangedEvent(b));
    }

    /// <summary>Takes every code breakpoint out of the process (before a detach); they stay in the table, unresolved.</summary>
    public async Task RemoveAllSitesAsync()
    {
        await UninstallAsync(Breakpoints).ConfigureAwait(false);
    }

    /// <summary>Decides, where the target sees a hit at <paramref name="site"/>, whether it is reported: the conditions,
    /// hit counts and log messages of the breakpoints there are applied to the registers and memory of the hit.</summary>
    /// <remarks>Runs on the target's thread while other threads of the process may run: it reads only the hit's registers,
    /// the process memory and the symbols, and reports through events.</remarks>
    private bool Decide(CodeSite site, BreakpointHit hit)
    {
        var here = site.Breakpoints;
        if (here.Length == 0) return false;
        HitScope? scope = null;
        List<Breakpoint>? stopping = null;
        foreach (var b in here)
        {
            if (b.Condition is { } condition)
            {
                bool met;
                try
                {
                    scope ??= new HitScope(hit, target, modules, symbolizer);
                    met = IsNonZero(scope.Evaluate(site, condition).Value);
                }
                catch (Exception e) when (e is ExpressionException or ValueException or EngineException or TargetMemoryException or InvalidDataException)
                {
                    raise(new OutputEvent("console", $"breakpoint {b.Id}: condition '{condition}' could not be evaluated ({e.Message}); stopping\n"));
                    met = true;
                }
                if (!met) continue;
            }
            b.HitCount++;
            if (!b.HitConditionMet(b.HitCount)) continue;
            if (b.LogMessage is { } message)
            {
                scope ??= new HitScope(hit, target, modules, symbolizer);
                raise(new OutputEvent("console", FormatLogMessage(site, message, scope) + "\n"));
                continue;
            }
            (stopping ??= []).Add(b);
        }
        if (stopping is null) return false;
        _verdicts[hit.ThreadId] = new HitVerdict(site.Address, stopping);
        return true;
    }

    /// <summary>The breakpoints a reported breakpoint stop stops for, as the decision at the hit found them.</summary>
    /// <param name="stop">The stop at a breakpoint.</param>
    /// <param name="snapshot">The state of the stop (a stop at the inlined calls of a line shows the line's call site).</param>
    /// <returns>Report is false when no user breakpoint there stops (the stop was another insertion's, such as a step's).</returns>
    public (bool Report, IReadOnlyList<int> Ids, StopCause Cause) TakeHit(ProcessStopped stop, StopSnapshot snapshot)
    {
        List<Breakpoint> stopping;
        lock (_gate)
        {
            if (!_sites.TryGetValue(stop.Address, out var site)) return (true, [], StopCause.Breakpoint);
            if (!_verdicts.TryRemove(stop.ThreadId, out var verdict) || verdict.Address != stop.Address) return (false, [], StopCause.Breakpoint);
            // A breakpoint removed since the hit does not stop.
            stopping = verdict.Stopping.Where(b => site.Breakpoints.Contains(b)).ToList();
        }
        if (stopping.Count == 0) return (false, [], StopCause.Breakpoint);
        // Stopped where the inlined calls of a line without code of its own begin: the thread shows the line's call site
        // (the frames of the calls it is about to make stay hidden), as gdb and lldb show it.
        var calls = stopping.Select(b => b.Locations.FirstOrDefault(l => l.Address == stop.Address && l.IsInlinedCall)).ToList();
        if (calls.All(l => l?.Location is not null)) snapshot.ShowAtInlinedCallSite(stop.ThreadId, calls[0]!.Location!);
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

    private string FormatLogMessage(CodeSite site, string message, HitScope scope)
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
                var (value, format) = scope.Evaluate(site, expression);
                sb.Append(new ValueFormatter(_memory).Format(value, format));
            }
            catch (Exception e) when (e is ExpressionException or ValueException or EngineException or TargetMemoryException or InvalidDataException)
            {
                sb.Append('<').Append(e.Message).Append('>');
            }
            i = close + 1;
        }
        return sb.ToString();
    }

    /// <summary>Replaces every data breakpoint with <paramref name="specs"/> (DAP setDataBreakpoints semantics). Each
    /// takes one debug register; past <see cref="MaxDataBreakpoints"/> the rest are returned unset with a message.</summary>
    public async Task<IReadOnlyList<DataBreakpoint>> SetDataBreakpointsAsync(IReadOnlyList<DataBreakpointSpec> specs)
    {
        await ForgetDataBreakpointsAsync(null).ConfigureAwait(false);
        var created = new List<DataBreakpoint>();
        foreach (var spec in specs)
        {
            var breakpoint = new DataBreakpoint
            {
                Id = NextId(),
                Target = spec.Target,
                Access = spec.Access,
                Condition = NullIfEmpty(spec.Condition),
                HitCondition = NullIfEmpty(spec.HitCondition),
            };
            created.Add(breakpoint);
            if (created.Count(b => b.IsVerified) >= MaxDataBreakpoints)
            {
                breakpoint.Message = $"x86-64 has {MaxDataBreakpoints} debug registers and the data breakpoints before this one use them all; remove one to watch {spec.Target.Name}";
                continue;
            }
            try
            {
                var slot = await target.SetWatchpointAsync(spec.Target.Address, spec.Target.Size,
                    spec.Access == DataAccess.Write ? WatchKind.Write : WatchKind.ReadWrite).ConfigureAwait(false);
                breakpoint.Slot = slot.Index;
                breakpoint.LastBytes = ReadWatched(spec.Target);
            }
            catch (Exception e) when (e is TargetException or ArgumentException)
            {
                breakpoint.Message = e.Message;
            }
        }
        lock (_gate) _dataBreakpoints.AddRange(created);
        return created;
    }

    /// <summary>Frees the debug registers of every data breakpoint and forgets them; <paramref name="why"/>, when given, is
    /// printed on the console for each one that was set.</summary>
    public async Task ForgetDataBreakpointsAsync(string? why)
    {
        List<DataBreakpoint> old;
        lock (_gate)
        {
            old = _dataBreakpoints.ToList();
            _dataBreakpoints.Clear();
        }
        foreach (var b in old)
        {
            if (b.Slot is not { } slot) continue;
            b.Slot = null;
            if (why is not null) raise(new OutputEvent("console", $"data breakpoint {b.Id} on {b.Target.Name} was removed: {why}\n"));
            if (hasExited()) continue;
            try
            {
                await target.ClearWatchpointAsync(slot).ConfigureAwait(false);
            }
            catch (TargetException)
            {
                // The process is gone; its debug registers went with it.
            }
        }
    }

    private byte[]? ReadWatched(DataTarget watched)
    {
        var bytes = new byte[watched.Size];
        return _memory.Read(watched.Address, bytes) == bytes.Length ? bytes : null;
    }

    /// <summary>Decides what a debug-register stop means: the data breakpoint behind it with what changed, or null to
    /// keep going when its condition or hit condition says so.</summary>
    public async Task<StopInfo?> EvaluateDataHitAsync(ProcessStopped stop, StopSnapshot snapshot)
    {
        DataBreakpoint? hit;
        lock (_gate) hit = _dataBreakpoints.FirstOrDefault(b => b.Slot == stop.Watchpoint?.Slot);
        if (hit is null)
            return new StopInfo(stop.ThreadId, StopCause.DataBreakpoint, $"debug register {stop.Watchpoint?.Slot} fired on 0x{stop.Address:x}", [], null, 0);
        var before = hit.LastBytes;
        var after = ReadWatched(hit.Target);
        hit.LastBytes = after;
        if (hit.Condition is { } condition)
        {
            bool met;
            try
            {
                var (value, _) = await snapshot.EvaluateAtThreadAsync(stop.ThreadId, condition).ConfigureAwait(false);
                met = IsNonZero(value);
            }
            catch (Exception e) when (e is ExpressionException or ValueException or EngineException)
            {
                raise(new OutputEvent("console", $"data breakpoint {hit.Id}: condition '{condition}' could not be evaluated ({e.Message}); stopping\n"));
                met = true;
            }
            if (!met) return null;
        }
        hit.HitCount++;
        if (!Breakpoint.HitConditionMet(hit.HitCondition, hit.HitCount)) return null;
        hit.OldValue = before is null ? null : FormatWatched(hit.Target, before);
        hit.NewValue = after is null ? null : FormatWatched(hit.Target, after);
        return new StopInfo(stop.ThreadId, StopCause.DataBreakpoint, DescribeHit(hit, before, after), [hit.Id], null, 0);
    }

    private static string DescribeHit(DataBreakpoint hit, byte[]? before, byte[]? after)
    {
        var name = hit.Target.Name;
        if (after is null) return $"{name} was accessed; its memory can no longer be read";
        bool changed = before is not null && !before.AsSpan().SequenceEqual(after);
        if (changed) return $"{name} changed from {hit.OldValue} to {hit.NewValue}";
        // x86 reports a write even when it stores the value already there, and a read/write watch does not say which.
        return hit.Access == DataAccess.Write
            ? $"{name} was written: still {hit.NewValue}"
            : $"{name} was read or written: {hit.NewValue}";
    }

    private string FormatWatched(DataTarget watched, byte[] bytes)
    {
        if (watched.Type is { } type)
        {
            try
            {
                return new ValueFormatter(_memory, modules.SymbolNameAt).Format(DebugValue.FromBytes(type, bytes));
            }
            catch (Exception e) when (e is ValueException or TargetMemoryException)
            {
                // Fall back to the raw number below.
            }
        }
        ulong raw = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) raw = (raw << 8) | bytes[i];
        return ValueFormatter.FormatInteger(raw, signed: false, bytes.Length, ValueFormat.Hex);
    }
}
