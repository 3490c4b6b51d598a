using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;
using TrapDebugger.Native.Registers;

namespace TrapDebugger.Engine.Process;

public sealed partial class TargetProcess
{
    private readonly Dictionary<int, VariableContainer> _containers = [];
    private readonly Dictionary<int, FrameScope> _scopes = [];
    private readonly Dictionary<int, FloatingPointRegisters> _fpRegisters = [];
    private int _nextReference = 1;

    private enum ContainerKind { Locals, Globals, Registers, Value }

    private sealed record VariableContainer(ContainerKind Kind, FrameScope Scope, DebugValue? Value, string? Expression);

    private void InvalidateVariables()
    {
        lock (_containers)
        {
            _containers.Clear();
            _scopes.Clear();
            _fpRegisters.Clear();
        }
    }

    private int Register(VariableContainer container)
    {
        lock (_containers)
        {
            int id = _nextReference++;
            _containers[id] = container;
            return id;
        }
    }

    /// <summary>The evaluation scope of <paramref name="frame"/> (cached for the current stop).</summary>
    public async Task<FrameScope> GetScopeAsync(StackFrame frame)
    {
        lock (_containers)
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
                fp = await _native.GetFloatingPointRegistersAsync(frame.ThreadId).ConfigureAwait(false);
            }
            catch (Native.Errors.TraceException)
            {
                fp = default;
            }
            lock (_containers) _fpRegisters[frame.ThreadId] = fp;
            vectors = n => n is >= 17 and <= 32 ? fp.GetXmm(n - 17) : n is >= 33 and <= 40 ? fp.GetSt(n - 33) : null;
            int tid = frame.ThreadId;
            write = (number, bytes) => WriteGeneralRegister(tid, number, BitConverter.ToUInt64(bytes));
        }
        var scope = new FrameScope(frame, _memory, vectors, write, () => CallerScope(frame), Target, CallFunction);
        lock (_containers)
        {
            _scopes[frame.Id] = scope;
        }
        return scope;
    }

    // The scope of the outermost function of the machine frame that called this one (for entry values).
    private FrameScope? CallerScope(StackFrame frame)
    {
        StackFrame? caller = null;
        lock (_stacks)
        {
            if (_stacks.TryGetValue(frame.ThreadId, out var stack))
            {
                int wanted = frame.Physical.Index + 1;
                if (!stack.HasPhysical(wanted)) return null;
                while (stack.NextPhysical <= wanted && stack.HasPhysical(stack.NextPhysical))
                {
                    foreach (var f in _symbolizer.Expand(stack.PhysicalAt(stack.NextPhysical++), frame.ThreadId, stack.Frames.Count, () => _nextFrameId++))
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
        var regs = _native.GetRegistersAsync(threadId).GetAwaiter().GetResult();
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
        _native.SetRegistersAsync(threadId, regs).GetAwaiter().GetResult();
        // Values computed from registers (and locations based on them) are stale now.
        _memory.Invalidate();
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
    public IReadOnlyList<VariableInfo> GetVariables(int variablesReference, int start = 0, int count = int.MaxValue, ValueFormat format = ValueFormat.Natural)
    {
        RequireStopped();
        VariableContainer? container;
        lock (_containers) _containers.TryGetValue(variablesReference, out container);
        if (container is null) throw new EngineException($"variables reference {variablesReference} is not valid at this stop");
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

    private ValueFormatter Formatter(FrameScope scope) => new(_memory, address => SymbolNameAt(address)) { NullObjectPointerText = scope.NullObjectPointerText };

    private string? SymbolNameAt(ulong address)
    {
        var module = Target.ModuleAt(address);
        return module?.SymbolAt(address) is { } s ? FrameSymbolizer.Demangle(s.Name) : null;
    }

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
            int number = Unwinding.RegisterSet.NumberOf(name);
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
            lock (_containers) have = _fpRegisters.TryGetValue(scope.Frame.ThreadId, out fp);
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

    private static readonly string[] RegisterSetNames =
        ["rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"];

    /// <summary>Evaluates <paramref name="expression"/> in frame <paramref name="frameId"/> (or the stopped thread's innermost frame when null) and describes the result,
    /// in <paramref name="format"/> unless the expression ends in a format suffix of its own.</summary>
    /// <exception cref="ExpressionException">The expression is invalid or cannot be evaluated; the message says why.</exception>
    /// <param name="expression">The expression (with an optional format suffix).</param>
    /// <param name="frameId">The frame, or null for the stopped thread's innermost one.</param>
    /// <param name="format">The format of scalars.</param>
    /// <param name="allowSideEffects">False refuses assignments and function calls (a hover must not change the program).</param>
    public async Task<VariableInfo> EvaluateAsync(string expression, int? frameId, ValueFormat format = ValueFormat.Natural, bool allowSideEffects = true)
    {
        var scope = await ScopeOfFrameOrTopAsync(frameId).ConfigureAwait(false);
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

    /// <summary>The scope of frame <paramref name="frameId"/>, or of the stopped thread's innermost frame when null.</summary>
    private async Task<FrameScope> ScopeOfFrameOrTopAsync(int? frameId)
    {
        RequireStopped();
        StackFrame frame;
        if (frameId is { } id) frame = GetFrame(id);
        else
        {
            var tid = _lastStop?.ThreadId ?? throw new EngineException("there is no stopped thread");
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

    /// <summary>Evaluates an expression in the innermost frame of <paramref name="threadId"/> while a run is deciding whether to stop (breakpoint conditions, logpoints).</summary>
    private async Task<(DebugValue Value, ValueFormat Format)> EvaluateAtThreadAsync(int threadId, string expression)
    {
        var stack = await StackOfAsync(threadId).ConfigureAwait(false);
        Unwinding.PhysicalFrame top;
        lock (_stacks) top = stack.PhysicalAt(0);
        var frames = _symbolizer.Expand(top, threadId, 0, () => Interlocked.Increment(ref _nextFrameId));
        var scope = await GetScopeAsync(frames[0]).ConfigureAwait(false);
        return Evaluator.Evaluate(expression, scope);
    }

    /// <summary>Sets the variable <paramref name="name"/> under <paramref name="variablesReference"/> to the value of <paramref name="valueExpression"/>; returns its new row.</summary>
    /// <exception cref="ExpressionException">The variable cannot be set (not a scalar or pointer, optimized out) or the value is invalid.</exception>
    public VariableInfo SetVariable(int variablesReference, string name, string valueExpression, ValueFormat format = ValueFormat.Natural)
    {
        RequireStopped();
        VariableContainer? container;
        lock (_containers) _containers.TryGetValue(variablesReference, out container);
        if (container is null) throw new EngineException($"variables reference {variablesReference} is not valid at this stop");
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

    /// <summary>A number that changes whenever the debugger changes the stopped program's memory or registers (an
    /// assignment, a function call, setVariable, writeMemory): what a client shows of this stop must then be read again.</summary>
    public long StateVersion => _memory.Version;

    // Values read before a change are stale: every scope of this stop reads memory again on the next request, and a
    // thread whose registers were written is unwound again.
    private void ForgetValuesAfterChange(FrameScope changed, bool registersWritten)
    {
        lock (_containers)
        {
            foreach (var s in _scopes.Values) s.Refresh();
        }
        if (!registersWritten) return;
        lock (_stacks)
        {
            _stacks.Remove(changed.Frame.ThreadId);
        }
    }
}
