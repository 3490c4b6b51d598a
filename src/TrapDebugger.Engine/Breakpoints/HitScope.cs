using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;

namespace TrapDebugger.Engine.Breakpoints;

/// <summary>What a condition or a log message sees at a breakpoint hit, built from the registers the target handed the
/// decision: the innermost frame of the thread that hit (and its caller, for entry values), without asking the target
/// for anything a running process cannot answer.</summary>
internal sealed class HitScope(BreakpointHit hit, ITarget target, Target modules, FrameSymbolizer symbolizer)
{
    private RegisterSet? _registers;
    private FrameScope? _top;

    /// <summary>The scope of the innermost (possibly inlined) frame at the hit.</summary>
    /// <exception cref="EngineException">The pc is in no frame that can be described.</exception>
    public FrameScope Top => _top ??= Build();

    private FrameScope Build()
    {
        var registers = _registers = RegisterSet.FromGeneral(hit.Registers);
        var machine = new Unwinder(modules, target.Memory).Unwind(registers, 1);
        if (machine.Count == 0) throw new EngineException($"no frame at 0x{hit.Address:x}");
        var frames = symbolizer.Expand(machine[0], hit.ThreadId, 0, () => 0);
        if (frames.Count == 0) throw new EngineException($"no frame at 0x{hit.Address:x}");
        FloatingPointRegisters? vector = null;
        byte[]? Vector(int number)
        {
            // Read only when an expression names a variable kept in an xmm or x87 register; the thread that hit is stopped.
            vector ??= TryReadFloatingPoint();
            return number is >= 17 and <= 32 ? vector.Value.GetXmm(number - 17) : number is >= 33 and <= 40 ? vector.Value.GetSt(number - 33) : null;
        }
        return new FrameScope(frames[0], target.Memory, Vector, writeRegister: null, Caller, modules);
    }

    private FloatingPointRegisters TryReadFloatingPoint()
    {
        try
        {
            return target.GetFloatingPointRegistersAsync(hit.ThreadId).GetAwaiter().GetResult();
        }
        catch (TargetException)
        {
            return default;
        }
    }

    // Unwound only when an expression needs an entry value: most conditions read the innermost frame alone.
    private FrameScope? Caller()
    {
        if (_registers is not { } registers || new Unwinder(modules, target.Memory).Unwind(registers, 2) is not { Count: > 1 } machine) return null;
        var frames = symbolizer.Expand(machine[1], hit.ThreadId, 1, () => 0);
        return frames.Count == 0 ? null : new FrameScope(frames[^1], target.Memory, target: modules);
    }

    /// <summary>Evaluates <paramref name="text"/> at the hit, parsing it once per site.</summary>
    /// <exception cref="ExpressionException">The expression is invalid or cannot be evaluated here.</exception>
    public (DebugValue Value, ValueFormat Format) Evaluate(CodeSite site, string text)
    {
        var scope = Top;
        var parsed = site.Parsed.GetOrAdd(text, t => Parser.Parse(t, name => scope.FindType(name) is not null || BuiltinTypes.Find(name) is not null));
        return (new Evaluator(scope).Evaluate(parsed.Root), parsed.Format);
    }
}
