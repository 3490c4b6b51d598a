using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;

namespace TrapDebugger.Engine.Process;

/// <summary>What the engine has learnt about one stop: each thread's unwound stack, the frames and variable references
/// handed out, the scopes built and the floating-point registers read. It is discarded when the process resumes, so a
/// later stop never answers from it.</summary>
/// <remarks>Frame ids and variable references come from <see cref="StopIds"/>, which outlives every snapshot: an id from
/// an earlier stop is never given again, so it is refused rather than taken for a frame of this one.</remarks>
internal sealed class StopSnapshot(ITarget target, Target modules, FrameSymbolizer symbolizer, StopIds ids,
    Func<FrameScope, string, IReadOnlyList<DebugValue>, DwarfType?, DebugValue>? call = null)
{
    private static readonly string[] RegisterSetNames =
        ["rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"];

    private readonly ITargetMemory _memory = target.Memory;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, ThreadStack> _stacks = [];
    private readonly Dictionary<int, StackFrame> _framesById = [];
    // Threads stopped by a breakpoint at the entry of an inlined call made from a line without code of its own: the call
    // site each one shows as its innermost position.
    private readonly Dictionary<int, SourceLocation> _stoppedAtInlinedCall = [];
    private readonly Dictionary<int, VariableContainer> _containers = [];
    private readonly Dictionary<int, FrameScope> _scopes = [];
    private readonly Dictionary<int, FloatingPointRegisters> _fpRegisters = [];

    private enum ContainerKind { Locals, Globals, Registers, Value }

    private sealed record VariableContainer(ContainerKind Kind, FrameScope Scope, DebugValue? Value, string? Expression);

    /// <summary>One thread's unwound stack at the current stop: machine frames, and user frames expanded as far as asked.</summary>
    /// <remarks>Machine frames are unwound lazily, as far as someone asks: a stop in a 100,000-frame recursion needs its top
    /// frames at once and the rest only when a client pages down to them. Guarded by _gate.</remarks>
    private sealed class ThreadStack(Unwinder unwinder, IEnumerable<PhysicalFrame> walk)
    {
        private readonly List<PhysicalFrame> _physical = [];
        private IEnumerator<PhysicalFrame>? _pending = walk.GetEnumerator();

        public string? UnwindStopReason => _pending is null ? unwinder.StopReason : null;
        public List<StackFrame> Frames { get; } = [];
        public int NextPhysical { get; set; }

        /// <summary>True when machine frame <paramref name="index"/> exists, unwinding up to it if needed.</summary>
        public bool HasPhysical(int index)
        {
            while (_physical.Count <= index && _pending is not null)
            {
                if (_pending.MoveNext()) _physical.Add(_pending.Current);
                else
                {
                    _pending.Dispose();
                    _pending = null;
                }
            }
            return index >= 0 && index < _physical.Count;
        }

        /// <summary>Machine frame <paramref name="index"/>, which <see cref="HasPhysical"/> said exists.</summary>
        public PhysicalFrame PhysicalAt(int index) => HasPhysical(index) ? _physical[index] : throw new ArgumentOutOfRangeException(nameof(index));

        /// <summary>The machine frames not yet expanded into user frames: exact once the walk ended, else the known ones and one
        /// more, so a client asks for further pages.</summary>
        public int RemainingEstimate => _physical.Count - NextPhysical + (_pending is null ? 0 : 1);
    }

    /// <summary>The registers of thread <paramref name="threadId"/> as the unwinder's innermost frame.</summary>
    public async Task<RegisterSet> ReadRegistersAsync(int threadId) =>
        RegisterSet.FromGeneral(await target.GetRegistersAsync(threadId).ConfigureAwait(false));

    private async Task<ThreadStack> StackOfAsync(int threadId)
    {
        lock (_gate)
        {
            if (_stacks.TryGetValue(threadId, out var cached)) return cached;
        }
        if (!target.ThreadIds.Contains(threadId)) throw new EngineException($"there is no thread {threadId}");
        var registers = await ReadRegistersAsync(threadId).ConfigureAwait(false);
        var unwinder = new Unwinder(modules, new StackBlockCache(_memory));
        var stack = new ThreadStack(unwinder, unwinder.Walk(registers));
        lock (_gate)
        {
            if (_stacks.TryGetValue(threadId, out var raced)) return raced;
            _stacks[threadId] = stack;
        }
        return stack;
    }

    /// <summary>Shows thread <paramref name="threadId"/> at <paramref name="callSite"/>, the line of the inlined calls it is
    /// about to make (their frames stay hidden), as gdb and lldb show a breakpoint on a line whose code is all inlined calls.</summary>
    public void ShowAtInlinedCallSite(int threadId, SourceLocation callSite)
    {
        lock (_gate)
        {
            _stoppedAtInlinedCall[threadId] = callSite;
            _stacks.Remove(threadId);
        }
    }

    /// <summary>The frames of thread <paramref name="threadId"/> from <paramref name="start"/>, at most <paramref name="count"/>, innermost first, with
    /// inlined calls as frames of their own; and the total number of frames.</summary>
    /// <exception cref="EngineException">The thread does not exist.</exception>
    public async Task<(IReadOnlyList<StackFrame> Frames, int TotalFrames)> GetStackTraceAsync(int threadId, int start, int count)
    {
        var stack = await StackOfAsync(threadId).ConfigureAwait(false);
        lock (_gate)
        {
            long wanted = Math.Min((long)start + Math.Max(count, 0), int.MaxValue);
            while (stack.Frames.Count < wanted && stack.HasPhysical(stack.NextPhysical))
            {
                var atCall = stack.NextPhysical == 0 && _stoppedAtInlinedCall.TryGetValue(threadId, out var call) ? call : null;
                var expanded = symbolizer.Expand(stack.PhysicalAt(stack.NextPhysical++), threadId, stack.Frames.Count, ids.NextFrame, atCall);
                foreach (var f in expanded)
                {
                    stack.Frames.Add(f);
                    _framesById[f.Id] = f;
                }
            }
            int total = stack.Frames.Count + stack.RemainingEstimate;
            var page = stack.Frames.Skip(start).Take(Math.Max(count, 0)).ToList();
            return (page, total);
        }
    }

    /// <summary>The first <paramref name="count"/> frames of thread <paramref name="threadId"/> as the unwinder and the
    /// symbolizer give them (no call site shown in place of inlined calls), for the trap analysis.</summary>
    public async Task<IReadOnlyList<StackFrame>> BacktraceAsync(int threadId, int count)
    {
        var stack = await StackOfAsync(threadId).ConfigureAwait(false);
        lock (_gate)
        {
            while (stack.Frames.Count < count && stack.HasPhysical(stack.NextPhysical))
            {
                var expanded = symbolizer.Expand(stack.PhysicalAt(stack.NextPhysical++), threadId, stack.Frames.Count, ids.NextFrame);
                foreach (var f in expanded)
                {
                    stack.Frames.Add(f);
                    _framesById[f.Id] = f;
                }
            }
            return stack.Frames.Take(count).ToList();
        }
    }

    /// <summary>Why the unwinder stopped for <paramref name="threadId"/>, once its stack was read.</summary>
    public string? UnwindStopReason(int threadId)
    {
        lock (_gate) return _stacks.TryGetValue(threadId, out var s) ? s.UnwindStopReason : null;
    }

    /// <summary>The frame with id <paramref name="frameId"/>.</summary>
    /// <exception cref="EngineException">The id is unknown or from an earlier stop.</exception>
    public StackFrame GetFrame(int frameId)
    {
        lock (_gate)
        {
            return _framesById.TryGetValue(frameId, out var f) ? f
                : throw new EngineException($"frame {frameId} is not a frame of the current stop; request the stack trace again");
        }
    }

    private int Register(VariableContainer container)
    {
        int id = ids.NextReference();
        lock (_gate) _containers[id] = container;
        return id;
    }

    private VariableContainer Container(int variablesReference)
    {
        VariableContainer? container;
        lock (_gate) _containers.TryGetValue(variablesReference, out container);
        return container ?? throw new EngineException($"variables reference {variablesReference} is not valid at this stop");
    }

    /// <summary>The evaluation scope of <paramref name="frame"/> (built once per stop).</summary>
    public async Task<FrameScope> GetScopeAsync(StackFrame frame)
    {
        lock (_gate)
        {
            if (_scopes.TryGetValue(frame.Id, out var cached)) return cached;
        }
        Func<int, byte[]?>? vectors = null;
        Action<int, ReadOnlySpan<byte>>? write = null;
        if (frame.Physical.Index == 0)
        {
            FloatingPointRegisters fp;
            try
            {
                fp = await target.GetFloatingPointRegistersAsync(frame.ThreadId).ConfigureAwait(false);
            }
            catch (TargetException)
            {
                fp = default;
            }
            lock (_gate) _fpRegisters[frame.ThreadId] = fp;
            vectors = n => n is >= 17 and <= 32 ? fp.GetXmm(n - 17) : n is >= 33 and <= 40 ? fp.GetSt(n - 33) : null;
            int tid = frame.ThreadId;
            write = (number, bytes) => WriteGeneralRegister(tid, number, BitConverter.ToUInt64(bytes));
        }
        var scope = new FrameScope(frame, _memory, vectors, write, () => CallerScope(frame), modules, call);
        lock (_gate)
        {
            _scopes[frame.Id] = scope;
        }
        return scope;
    }

    // The scope of the outermost function of the machine frame that called this one (for entry values).
    private FrameScope? CallerScope(StackFrame frame)
    {
        StackFrame? caller = null;
        lock (_gate)
        {
            if (_stacks.TryGetValue(frame.ThreadId, out var stack))
            {
                int wanted = frame.Physical.Index + 1;
                if (!stack.HasPhysical(wanted)) return null;
                while (stack.NextPhysical <= wanted && stack.HasPhysical(stack.NextPhysical))
                {
                    foreach (var f in symbolizer.Expand(stack.PhysicalAt(stack.NextPhysical++), frame.ThreadId, stack.Frames.Count, ids.NextFrame))
                    {
                        stack.Frames.Add(f);
                        _framesById[f.Id] = f;
                    }
                }
                caller = stack.Frames.LastOrDefault(f => f.Physical.Index == wanted);
            }
        }
        return caller is null ? null : GetScopeAsync(caller).GetAwaiter().GetResult();
    }

    private void WriteGeneralRegister(int threadId, int number, ulong value)
    {
        var regs = target.GetRegistersAsync(threadId).GetAwaiter().GetResult();
        switch (number)
        {
            case 0: regs.Rax = value; break;
            case 1: regs.Rdx = value; break;
            case 2: regs.Rcx = value; break;
            case 3: regs.Rbx = value; break;
            case 4: regs.Rsi = value; break;
            case 5: regs.Rdi = value; break;
            case 6: regs.Rbp = value; break;
            case 7: regs.Rsp = value; break;
            case 8: regs.R8 = value; break;
            case 9: regs.R9 = value; break;
            case 10: regs.R10 = value; break;
            case 11: regs.R11 = value; break;
            case 12: regs.R12 = value; break;
            case 13: regs.R13 = value; break;
            case 14: regs.R14 = value; break;
            case 15: regs.R15 = value; break;
            case 16: regs.Rip = value; break;
            default: throw new ExpressionException($"register {number} cannot be written");
        }
        // The target marks the values read so far stale: they may have been computed from the old registers.
        target.SetRegistersAsync(threadId, regs).GetAwaiter().GetResult();
    }

    /// <summary>The scopes of frame <paramref name="frameId"/>: Locals (arguments and locals), Registers, Globals.</summary>
    public async Task<IReadOnlyList<ScopeInfo>> GetScopesAsync(int frameId)
    {
        var frame = GetFrame(frameId);
        var scope = await GetScopeAsync(frame).ConfigureAwait(false);
        return
        [
            new ScopeInfo("Locals", Register(new(ContainerKind.Locals, scope, null, null)), null, false, "locals"),
            new ScopeInfo("Registers", Register(new(ContainerKind.Registers, scope, null, null)), null, false, "registers"),
            new ScopeInfo("Globals", Register(new(ContainerKind.Globals, scope, null, null)), null, true, null),
        ];
    }

    /// <summary>The rows under <paramref name="variablesReference"/> (a scope or an expandable value), from <paramref name="start"/>, at most <paramref name="count"/>,
    /// scalars shown in <paramref name="format"/>.</summary>
    public IReadOnlyList<VariableInfo> GetVariables(int variablesReference, int start, int count, ValueFormat format)
    {
        var container = Container(variablesReference);
        var scope = container.Scope;
        var formatter = Formatter(scope);
        switch (container.Kind)
        {
            case ContainerKind.Locals:
                return scope.Locals.Skip(start).Take(count).Select(v => Describe(v.Name, v.Value, scope, v.Name, format)).ToList();
            case ContainerKind.Globals:
                return scope.Globals.Skip(start).Take(count).Select(v => Describe(v.Name, v.Value, scope, v.Name, format)).ToList();
            case ContainerKind.Registers:
                return RegisterRows(scope).Skip(start).Take(count).ToList();
            default:
                return formatter.Children(container.Value!, start, count, container.Expression)
                    .Select(c => Describe(c.Name, c.Value, scope, c.Expression, format)).ToList();
        }
    }

    /// <summary>The value of variable <paramref name="name"/> under <paramref name="variablesReference"/> and the
    /// expression that names it (what a data breakpoint on it watches).</summary>
    /// <exception cref="EngineException">The reference is not valid at this stop.</exception>
    /// <exception cref="ExpressionException">There is no such variable, or it is a register.</exception>
    public (DebugValue Value, string Expression) FindVariable(int variablesReference, string name)
    {
        var container = Container(variablesReference);
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
        return (f.Value, f.Expression ?? name);
    }

    private ValueFormatter Formatter(FrameScope scope) => new(_memory, modules.SymbolNameAt) { NullObjectPointerText = scope.NullObjectPointerText };

    private VariableInfo Describe(string name, DebugValue value, FrameScope scope, string? expression, ValueFormat format = ValueFormat.Natural)
    {
        var formatter = Formatter(scope);
        string text = formatter.Format(value, format);
        int reference = 0;
        int? indexed = null, named = null;
        if (formatter.HasChildren(value))
        {
            reference = Register(new(ContainerKind.Value, scope, value, expression));
            int n = formatter.ChildCount(value);
            if (formatter.ChildrenAreElements(value)) indexed = n;
            else named = n;
        }
        return new VariableInfo(name, text, value.Type.DisplayName, reference, indexed, named, expression,
            value.Address is { } a ? $"0x{a:x}" : null);
    }

    private IEnumerable<VariableInfo> RegisterRows(FrameScope scope)
    {
        var regs = scope.Registers;
        for (int i = 0; i < RegisterSetNames.Length; i++)
        {
            var name = RegisterSetNames[i];
            int number = RegisterSet.NumberOf(name);
            var value = regs.Get(number);
            yield return new VariableInfo(name, value is { } v ? ValueFormatter.Hex(v) : "<not available in this frame>", "unsigned long", 0, null, null, "$" + name, null);
        }
        if (regs.Rflags is { } flags)
            yield return new VariableInfo("rflags", $"0x{flags:x16} [ {RegisterNames.DecodeFlags(flags)} ]", "unsigned long", 0, null, null, "$rflags", null);
        yield return new VariableInfo("fs_base", ValueFormatter.Hex(regs.FsBase), "unsigned long", 0, null, null, "$fs_base", null);
        yield return new VariableInfo("gs_base", ValueFormatter.Hex(regs.GsBase), "unsigned long", 0, null, null, "$gs_base", null);
        if (scope.Frame.Physical.Index == 0)
        {
            FloatingPointRegisters fp;
            bool have;
            lock (_gate) have = _fpRegisters.TryGetValue(scope.Frame.ThreadId, out fp);
            if (have)
            {
                yield return new VariableInfo("mxcsr", $"0x{fp.Mxcsr:x8}", "unsigned int", 0, null, null, null, null);
                for (int i = 0; i < 8; i++)
                {
                    var st = fp.GetSt(i);
                    var asDouble = DebugValue.FromBytes(BuiltinTypes.LongDouble, Pad(st, 16)).GetDouble(_memory);
                    yield return new VariableInfo($"st{i}", asDouble.ToString("G17", System.Globalization.CultureInfo.InvariantCulture), "long double", 0, null, null, null, null);
                }
                for (int i = 0; i < 16; i++)
                {
                    var x = fp.GetXmm(i);
                    yield return new VariableInfo($"xmm{i}", "{" + string.Join(' ', x.Select(b => $"0x{b:x2}")) + "}", "unsigned char[16]", 0, null, null, $"$xmm{i}", null);
                }
            }
        }
    }

    private static byte[] Pad(byte[] bytes, int size)
    {
        if (bytes.Length >= size) return bytes;
        var r = new byte[size];
        bytes.CopyTo(r, 0);
        return r;
    }

    /// <summary>Evaluates <paramref name="expression"/> in frame <paramref name="frameId"/> (or the innermost frame of
    /// <paramref name="stoppedThread"/> when null) and describes the result, in <paramref name="format"/> unless the
    /// expression ends in a format suffix of its own.</summary>
    /// <param name="expression">The expression (with an optional format suffix).</param>
    /// <param name="frameId">The frame, or null for the stopped thread's innermost one.</param>
    /// <param name="stoppedThread">The thread of the current stop.</param>
    /// <param name="format">The format of scalars.</param>
    /// <param name="allowSideEffects">False refuses assignments and function calls (a hover must not change the program).</param>
    /// <exception cref="ExpressionException">The expression is invalid or cannot be evaluated; the message says why.</exception>
    public async Task<VariableInfo> EvaluateAsync(string expression, int? frameId, int? stoppedThread, ValueFormat format, bool allowSideEffects = true)
    {
        var scope = await ScopeOfFrameOrTopAsync(frameId, stoppedThread).ConfigureAwait(false);
        long before = _memory.Version;
        int registerWrites = scope.RegisterWrites;
        DebugValue value;
        ValueFormat suffix;
        scope.SideEffectsAllowed = allowSideEffects;
        try
        {
            (value, suffix) = Evaluator.Evaluate(expression, scope);
        }
        finally
        {
            scope.SideEffectsAllowed = true;
            if (_memory.Version != before) ForgetValuesAfterChange(scope, registerWrites != scope.RegisterWrites);
        }
        var raw = expression;
        int comma = LastTopLevelComma(expression);
        if (comma >= 0) raw = expression[..comma].Trim();
        return Describe(expression, value, scope, raw, suffix == ValueFormat.Natural ? format : suffix);
    }

    /// <summary>The scope of frame <paramref name="frameId"/>, or of <paramref name="stoppedThread"/>'s innermost frame when null.</summary>
    public async Task<FrameScope> ScopeOfFrameOrTopAsync(int? frameId, int? stoppedThread)
    {
        StackFrame frame;
        if (frameId is { } id) frame = GetFrame(id);
        else
        {
            var tid = stoppedThread ?? throw new EngineException("there is no stopped thread");
            var (frames, _) = await GetStackTraceAsync(tid, 0, 1).ConfigureAwait(false);
            frame = frames.Count > 0 ? frames[0] : throw new EngineException("the stopped thread has no frames");
        }
        return await GetScopeAsync(frame).ConfigureAwait(false);
    }

    private static int LastTopLevelComma(string text)
    {
        int depth = 0;
        for (int i = text.Length - 1; i >= 0; i--)
        {
            char c = text[i];
            if (c is ')' or ']') depth++;
            else if (c is '(' or '[') depth--;
            else if (c == ',' && depth == 0) return i;
        }
        return -1;
    }

    /// <summary>Evaluates an expression in the innermost frame of <paramref name="threadId"/> while a run is deciding
    /// whether to stop (breakpoint conditions, logpoints).</summary>
    public async Task<(DebugValue Value, ValueFormat Format)> EvaluateAtThreadAsync(int threadId, string expression)
    {
        var stack = await StackOfAsync(threadId).ConfigureAwait(false);
        PhysicalFrame top;
        lock (_gate) top = stack.PhysicalAt(0);
        var frames = symbolizer.Expand(top, threadId, 0, ids.NextFrame);
        var scope = await GetScopeAsync(frames[0]).ConfigureAwait(false);
        return Evaluator.Evaluate(expression, scope);
    }

    /// <summary>Sets the variable <paramref name="name"/> under <paramref name="variablesReference"/> to the value of <paramref name="valueExpression"/>; returns its new row.</summary>
    /// <exception cref="ExpressionException">The variable cannot be set (not a scalar or pointer, optimized out) or the value is invalid.</exception>
    public VariableInfo SetVariable(int variablesReference, string name, string valueExpression, ValueFormat format)
    {
        var container = Container(variablesReference);
        var scope = container.Scope;
        DebugValue? target = container.Kind switch
        {
            ContainerKind.Locals => scope.Locals.LastOrDefault(v => v.Name == name)?.Value,
            ContainerKind.Globals => scope.Globals.FirstOrDefault(v => v.Name == name)?.Value,
            ContainerKind.Registers => scope.ReadRegister(name),
            _ => Formatter(scope).Children(container.Value!, 0, int.MaxValue).FirstOrDefault(c => c.Name == name).Value,
        };
        if (target is null) throw new ExpressionException($"there is no variable named '{name}' here");
        int registerWrites = scope.RegisterWrites;
        var stored = Evaluator.Assign(target, valueExpression, scope);
        ForgetValuesAfterChange(scope, registerWrites != scope.RegisterWrites);
        return Describe(name, stored, scope, null, format);
    }

    // Values read before a change (an assignment, a function call) are stale: every scope of this stop reads memory again
    // on the next request, and a thread whose registers were written is unwound again.
    private void ForgetValuesAfterChange(FrameScope changed, bool registersWritten)
    {
        lock (_gate)
        {
            foreach (var s in _scopes.Values) s.Refresh();
            if (registersWritten) _stacks.Remove(changed.Frame.ThreadId);
        }
    }

    /// <summary>The formal parameters of frame <paramref name="frameId"/> in declaration order, values in
    /// <paramref name="format"/>: what a client shows after a function's name in the call stack.</summary>
    public async Task<IReadOnlyList<FrameParameter>> GetFrameParametersAsync(int frameId, ValueFormat format)
    {
        var scope = await GetScopeAsync(GetFrame(frameId)).ConfigureAwait(false);
        var formatter = Formatter(scope);
        return scope.Locals.Where(v => v.IsArgument)
            .Select(v => new FrameParameter(v.Name, v.Value.Type.DisplayName, formatter.Format(v.Value, format)))
            .ToList();
    }
}

/// <summary>The frame ids and variable references of a process: unique for its whole life, so one from an earlier stop
/// never names something of a later one.</summary>
internal sealed class StopIds
{
    private int _frame;
    private int _reference;

    /// <summary>A new frame id.</summary>
    public int NextFrame() => Interlocked.Increment(ref _frame);

    /// <summary>A new variables reference.</summary>
    public int NextReference() => Interlocked.Increment(ref _reference);
}
