using System.Globalization;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;

namespace TrapDebugger.Engine.Process;

public sealed partial class TargetProcess
{
    /// <summary>How many data breakpoints x86-64 can hold at once: one per debug address register DR0-DR3.</summary>
    public const int MaxDataBreakpoints = 4;

    private readonly Lock _dataGate = new();
    private readonly List<DataBreakpoint> _dataBreakpoints = [];

    /// <summary>Every data breakpoint, set or not, in the order they were requested.</summary>
    public IReadOnlyList<DataBreakpoint> DataBreakpoints
    {
        get { lock (_dataGate) return _dataBreakpoints.ToList(); }
    }

    /// <summary>The memory of the object <paramref name="expression"/> names in frame <paramref name="frameId"/> (or the
    /// stopped thread's innermost frame when null), checked against what a debug register can watch.</summary>
    /// <exception cref="ExpressionException">The expression is invalid, or its value has no address a debug register can watch; the message says why.</exception>
    public async Task<DataTarget> ResolveDataTargetAsync(string expression, int? frameId)
    {
        var scope = await ScopeOfFrameOrTopAsync(frameId).ConfigureAwait(false);
        var (value, _) = Evaluator.Evaluate(expression, scope);
        return ToDataTarget(expression.Trim(), value);
    }

    /// <summary>The memory of variable <paramref name="name"/> under <paramref name="variablesReference"/> (a scope or an
    /// expanded value of the current stop), checked against what a debug register can watch.</summary>
    /// <exception cref="EngineException">The reference is not valid at this stop.</exception>
    /// <exception cref="ExpressionException">There is no such variable, or it has no address a debug register can watch.</exception>
    public DataTarget ResolveDataTarget(int variablesReference, string name)
    {
        RequireStopped();
        VariableContainer? container;
        lock (_containers) _containers.TryGetValue(variablesReference, out container);
        if (container is null) throw new EngineException($"variables reference {variablesReference} is not valid at this stop");
        var scope = container.Scope;
        (DebugValue Value, string? Expression)? found = container.Kind switch
        {
            ContainerKind.Locals => scope.Locals.LastOrDefault(v => v.Name == name) is { } v ? (v.Value, v.Name) : null,
            ContainerKind.Globals => scope.Globals.FirstOrDefault(v => v.Name == name) is { } v ? (v.Value, v.Name) : null,
            ContainerKind.Registers => throw new ExpressionException($"'{name}' is a register, not memory; a data breakpoint watches memory"),
            _ => Formatter(scope).Children(container.Value!, 0, int.MaxValue, container.Expression)
                .Where(c => c.Name == name).Select(c => ((DebugValue, string?)?)(c.Value, c.Expression)).FirstOrDefault(),
        };
        if (found is not { } f) throw new ExpressionException($"there is no variable named '{name}' here");
        return ToDataTarget(f.Expression ?? name, f.Value);
    }

    /// <summary>The <paramref name="size"/> bytes at the address <paramref name="addressExpression"/> evaluates to (a
    /// number or a pointer), in frame <paramref name="frameId"/> when given.</summary>
    /// <exception cref="ExpressionException">The expression does not give an address, or the range is not watchable.</exception>
    public async Task<DataTarget> ResolveDataAddressAsync(string addressExpression, int size, int? frameId)
    {
        ulong address;
        var text = addressExpression.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var literal))
        {
            // A plain address needs no frame: the client may ask before any frame was listed.
            address = literal;
        }
        else
        {
            var scope = await ScopeOfFrameOrTopAsync(frameId).ConfigureAwait(false);
            var (value, _) = Evaluator.Evaluate(text, scope);
            var canonical = value.Canonical;
            if (canonical is not Dwarf.Types.PointerType && !DebugValue.IsIntegral(canonical))
                throw new ExpressionException($"'{text}' is a {value.Type.DisplayName}, not an address");
            address = value.GetRawInteger(_memory);
        }
        CheckWatchable(text, address, size);
        return new DataTarget(address, size, text, null);
    }

    private static DataTarget ToDataTarget(string name, DebugValue value)
    {
        switch (value.Location.Kind)
        {
            case ValueLocationKind.Register:
                throw new ExpressionException($"'{name}' is held in register {Unwinding.RegisterSet.NameOf(value.Location.Register)} here, not in memory, so no data breakpoint can watch it");
            case ValueLocationKind.OptimizedOut:
                throw new ExpressionException($"'{name}' is optimized out here, so there is no memory to watch");
            case ValueLocationKind.Computed:
                throw new ExpressionException($"'{name}' is a computed value with no address; watch a variable or '*pointer' instead");
            case ValueLocationKind.Unavailable:
                throw new ExpressionException($"'{name}' cannot be read: {value.Error}");
        }
        if (value.BitSize is not null)
            throw new ExpressionException($"'{name}' is a bit field; x86 debug registers watch whole bytes, so watch the structure member that holds it");
        var size = value.Canonical.ByteSize;
        if (size == 0) throw new ExpressionException($"'{name}' has no size, so there is nothing to watch");
        if (!DataTarget.IsWatchableSize((long)Math.Min(size, int.MaxValue)))
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture,
                $"'{name}' is {size} bytes; an x86 debug register watches 1, 2, 4 or 8 aligned bytes, so watch one of its members or elements instead"));
        var address = value.Address!.Value;
        CheckWatchable(name, address, (int)size);
        return new DataTarget(address, (int)size, name, value.Type);
    }

    private static void CheckWatchable(string name, ulong address, int size)
    {
        if (!DataTarget.IsWatchableSize(size))
            throw new ExpressionException($"an x86 debug register watches 1, 2, 4 or 8 bytes, not {size}");
        if (address % (ulong)size != 0)
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture,
                $"'{name}' at 0x{address:x} is not aligned to its {size}-byte size; x86 debug registers watch only aligned 1, 2, 4 or 8 bytes"));
        if (address >= 0x0000_8000_0000_0000UL)
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture, $"0x{address:x} is not a user-space address"));
    }

    /// <summary>Replaces every data breakpoint with <paramref name="specs"/> (DAP setDataBreakpoints semantics). Each
    /// takes one debug register; past <see cref="MaxDataBreakpoints"/> the rest are returned unset with a message.</summary>
    /// <exception cref="EngineException">The process is running or has exited.</exception>
    public async Task<IReadOnlyList<DataBreakpoint>> SetDataBreakpointsAsync(IReadOnlyList<DataBreakpointSpec> specs)
    {
        RequireStopped();
        await ForgetDataBreakpointsAsync(null).ConfigureAwait(false);
        var created = new List<DataBreakpoint>();
        foreach (var spec in specs)
        {
            var breakpoint = new DataBreakpoint
            {
                Id = Interlocked.Increment(ref _nextBreakpointId) - 1,
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
                var slot = await _target.SetWatchpointAsync(spec.Target.Address, spec.Target.Size,
                    spec.Access == DataAccess.Write ? WatchKind.Write : WatchKind.ReadWrite).ConfigureAwait(false);
                breakpoint.Slot = slot.Index;
                breakpoint.LastBytes = ReadWatched(spec.Target);
            }
            catch (Exception e) when (e is TargetException or ArgumentException)
            {
                breakpoint.Message = e.Message;
            }
        }
        lock (_dataGate) _dataBreakpoints.AddRange(created);
        return created;
    }

    /// <summary>Frees the debug registers of every data breakpoint and forgets them; <paramref name="why"/>, when given, is
    /// printed on the console for each one that was set.</summary>
    private async Task ForgetDataBreakpointsAsync(string? why)
    {
        List<DataBreakpoint> old;
        lock (_dataGate)
        {
            old = _dataBreakpoints.ToList();
            _dataBreakpoints.Clear();
        }
        foreach (var b in old)
        {
            if (b.Slot is not { } slot) continue;
            b.Slot = null;
            if (why is not null) Raise(new OutputEvent("console", $"data breakpoint {b.Id} on {b.Target.Name} was removed: {why}\n"));
            if (_exited) continue;
            try
            {
                await _target.ClearWatchpointAsync(slot).ConfigureAwait(false);
            }
            catch (TargetException)
            {
                // The process is gone; its debug registers went with it.
            }
        }
    }

    private byte[]? ReadWatched(DataTarget target)
    {
        var bytes = new byte[target.Size];
        return _memory.Read(target.Address, bytes) == bytes.Length ? bytes : null;
    }

    /// <summary>Decides what a debug-register stop means: the data breakpoint behind it with what changed, or null to
    /// keep going when its condition or hit condition says so.</summary>
    private async Task<StopInfo?> EvaluateDataBreakpointHitAsync(ProcessStopped stop)
    {
        DataBreakpoint? hit;
        lock (_dataGate) hit = _dataBreakpoints.FirstOrDefault(b => b.Slot == stop.Watchpoint?.Slot);
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
                var (value, _) = await EvaluateAtThreadAsync(stop.ThreadId, condition).ConfigureAwait(false);
                met = IsNonZero(value);
            }
            catch (Exception e) when (e is ExpressionException or ValueException or EngineException)
            {
                Raise(new OutputEvent("console", $"data breakpoint {hit.Id}: condition '{condition}' could not be evaluated ({e.Message}); stopping\n"));
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

    private string FormatWatched(DataTarget target, byte[] bytes)
    {
        if (target.Type is { } type)
        {
            try
            {
                return new ValueFormatter(_memory, SymbolNameAt).Format(DebugValue.FromBytes(type, bytes));
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
