using TrapDebugger.Dwarf.CallFrames;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Unwinding;

/// <summary>How a caller frame was found.</summary>
public enum UnwindMethod
{
    /// <summary>The innermost frame: registers as the thread stopped.</summary>
    Context,
    /// <summary>From call frame information (.eh_frame or .debug_frame).</summary>
    CallFrameInfo,
    /// <summary>From the saved frame pointer chain, for code without CFI.</summary>
    FramePointer,
    /// <summary>From the return address at the stack pointer, at the first instruction of a function or a PLT stub.</summary>
    ReturnAddressAtStackPointer,
}

/// <summary>One machine frame of a thread's stack: its registers as far as they can be recovered and its canonical frame address.</summary>
/// <param name="Index">0 for the innermost frame.</param>
/// <param name="Registers">The frame's registers (pc is the resume address for callers).</param>
/// <param name="Cfa">The canonical frame address: the caller's stack pointer before the call, which identifies the frame.</param>
/// <param name="PcIsExact">True when the pc is the instruction being executed (innermost, or interrupted by a signal); false
/// for return addresses, which are looked up at pc - 1 so the call instruction's line and scope are used.</param>
/// <param name="Method">How this frame was recovered from its callee.</param>
/// <param name="IsSignalTrampoline">True when this frame is the kernel's signal return trampoline (__restore_rt).</param>
public sealed record PhysicalFrame(int Index, RegisterSet Registers, ulong Cfa, bool PcIsExact, UnwindMethod Method, bool IsSignalTrampoline)
{
    /// <summary>The program counter.</summary>
    public ulong Pc => Registers.Pc;

    /// <summary>The address to symbolize: the pc itself, or pc - 1 for a return address.</summary>
    public ulong LookupPc => PcIsExact || Pc == 0 ? Pc : Pc - 1;
}

/// <summary>The call frame information and code facts the unwinder needs, looked up by run-time address.</summary>
public interface IUnwindSource
{
    /// <summary>The unwind row covering run-time address <paramref name="pc"/>, and the module's load bias; null when no CFI covers it.</summary>
    (UnwindRow Row, ulong LoadBias)? FindRow(ulong pc);

    /// <summary>True when <paramref name="pc"/> is the first instruction of a function symbol (nothing pushed yet).</summary>
    bool IsFunctionEntry(ulong pc);

    /// <summary>True when <paramref name="pc"/> is inside a PLT section.</summary>
    bool IsInPlt(ulong pc);

    /// <summary>True when <paramref name="pc"/> is in a function that starts a stack (<c>_start</c>, <c>clone</c>, <c>clone3</c>, <c>start_thread</c>'s caller).</summary>
    bool IsStackBottom(ulong pc);

    /// <summary>True when <paramref name="pc"/> lies in a loaded module's code; false for a call through a null or wild pointer.</summary>
    bool IsModuleCode(ulong pc) => true;

    /// <summary>The run-time address where the function symbol covering <paramref name="pc"/> starts, or null when no symbol covers it.</summary>
    ulong? FunctionStart(ulong pc) => null;
}

/// <summary>Walks a thread's stack from its registers using CFI, falling back to frame pointers for code without CFI,
/// and stops honestly (with the reason) when neither can go further.</summary>
public sealed class Unwinder(IUnwindSource source, IByteSource memory)
{
    /// <summary>The most frames one walk produces (a runaway recursion is cut here).</summary>
    public const int MaxFrames = 100_000;

    // rbx, rbp, r12–r15 survive calls (SysV ABI); an unmentioned callee-saved register keeps its value.
    private static readonly int[] CalleeSaved = [3, 6, 12, 13, 14, 15];

    /// <summary>Why the last walk ended, for diagnostics ("return address is undefined at _start").</summary>
    public string? StopReason { get; private set; }

    /// <summary>Unwinds from <paramref name="registers"/> (the innermost frame), at most <paramref name="limit"/> frames.</summary>
    public IReadOnlyList<PhysicalFrame> Unwind(RegisterSet registers, int limit = MaxFrames) => Walk(registers, limit).ToList();

    /// <summary>The frames from <paramref name="registers"/> outward, one caller at a time as they are enumerated, at most
    /// <paramref name="limit"/>; <see cref="StopReason"/> is set when the enumeration ends.</summary>
    /// <remarks>A stop needs the top frames, not all of a 100,000-frame recursion: callers are found only as far as asked.</remarks>
    public IEnumerable<PhysicalFrame> Walk(RegisterSet registers, int limit = MaxFrames)
    {
        StopReason = null;
        limit = Math.Clamp(limit, 1, MaxFrames);
        var current = registers.Clone();
        bool exact = true;
        var method = UnwindMethod.Context;
        ulong previousCfa = 0;
        var count = 0;
        PhysicalFrame? previous = null;
        while (count < limit)
        {
            var step = Step(current, count, exact, out var cfa, out var callerExact, out var callerMethod, out var isTrampoline);
            var frame = new PhysicalFrame(count, current, cfa ?? current.Sp, exact, method, isTrampoline);
            count++;
            yield return frame;
            if (step is null)
                break;
            // A thread that creates another is itself inside clone/clone3 (the innermost frame, at its exact pc), and the
            // CFI recovers the caller that asked for the thread; only the new thread's copy starts a stack (its CFI marks
            // the return address undefined, which ended the walk above).
            bool creatingThread = frame.Index == 0 && frame.PcIsExact && source.IsModuleCode(step.Pc);
            if (source.IsStackBottom(frame.LookupPc) && !creatingThread)
            {
                StopReason = "reached the function that starts the stack";
                break;
            }
            if (step.Pc == 0)
            {
                StopReason = "return address is 0";
                break;
            }
            // Each caller's frame lies above its callee's; anything else is a corrupt stack or a loop.
            if (count > 1 && cfa is { } c && c <= previousCfa && previous is { IsSignalTrampoline: false } && !isTrampoline)
            {
                StopReason = $"stack does not progress at frame {count - 1} (CFA 0x{c:x})";
                break;
            }
            previousCfa = cfa ?? previousCfa;
            previous = frame;
            current = step;
            exact = callerExact;
            method = callerMethod;
        }
        if (count >= limit && StopReason is null) StopReason = $"frame limit of {limit} reached";
    }

    private RegisterSet? Step(RegisterSet regs, int index, bool exact, out ulong? cfa, out bool callerExact, out UnwindMethod method, out bool isTrampoline)
    {
        cfa = null;
        callerExact = false;
        isTrampoline = false;
        method = UnwindMethod.CallFrameInfo;
        ulong lookup = exact ? regs.Pc : regs.Pc - 1;
        if (source.FindRow(lookup) is { } found)
        {
            var row = found.Row;
            isTrampoline = row.IsSignalFrame;
            cfa = ComputeCfa(row.Cfa, regs);
            if (cfa is null)
            {
                StopReason = $"CFA rule {row.Cfa} cannot be evaluated at 0x{regs.Pc:x}";
                return null;
            }
            var caller = new RegisterSet { FsBase = regs.FsBase, GsBase = regs.GsBase };
            foreach (var r in CalleeSaved)
            {
                if (regs.Get(r) is { } v) caller.Set(r, v);
            }
            int ra = row.ReturnAddressRegister;
            bool raDefined = true;
            foreach (var (number, rule) in row.Registers)
            {
                if (rule.Kind == RegisterRuleKind.SameValue)
                {
                    if (regs.Get(number) is { } same) caller.Set(number, same);
                    continue;
                }
                var value = Apply(rule, regs, cfa.Value);
                if (rule.Kind == RegisterRuleKind.Undefined && number == ra) raDefined = false;
                if (value is { } v) caller.Set(number, v);
                else caller.Forget(number);
            }
            if (!raDefined)
            {
                StopReason = "the return address is undefined here (outermost frame)";
                return null;
            }
            // The return address column (16) becomes the caller's rip.
            if (ra != RegisterSet.Rip)
            {
                if (caller.Get(ra) is { } raValue) caller.Pc = raValue;
                else caller.Forget(RegisterSet.Rip);
            }
            if (!caller.IsKnown(RegisterSet.Rip))
            {
                StopReason = $"no rule recovers the return address at 0x{regs.Pc:x}";
                return null;
            }
            caller.Sp = cfa.Value;
            // The frame interrupted by a signal resumes at its exact pc, not after a call.
            callerExact = row.IsSignalFrame;
            return caller;
        }

        // No CFI: at a function's first instruction or in a PLT stub the return address is on top of the stack. So it is when the
        // innermost pc is in no module's code: a call through a null (or wild) function pointer faults on fetching the target,
        // before the callee pushed anything, and the caller is the return address the call left (as lldb unwinds it).
        if ((index == 0 || exact) && (source.IsFunctionEntry(regs.Pc) || source.IsInPlt(regs.Pc) || index == 0 && !source.IsModuleCode(regs.Pc)))
        {
            method = UnwindMethod.ReturnAddressAtStackPointer;
            if (ReadPointer(regs.Sp) is not { } ra)
            {
                StopReason = $"cannot read the return address at 0x{regs.Sp:x}";
                return null;
            }
            var caller = KeepCalleeSaved(regs);
            caller.Pc = ra;
            caller.Sp = regs.Sp + 8;
            cfa = caller.Sp;
            return caller;
        }

        // Hand-written assembly can leave instructions without CFI (glibc's clone3 around its syscall, which the parent and
        // the new thread share). In the innermost frame, when nothing from the function's start to the pc moves the stack
        // pointer, the return address is still on top of the stack (lldb's instruction profiler finds it so); a new thread
        // there finds no return address in module code, and its walk ends at clone3.
        if (index == 0 && source.FunctionStart(regs.Pc) is { } start && LeafCode.KeepsStackPointer(memory, start, regs.Pc))
        {
            method = UnwindMethod.ReturnAddressAtStackPointer;
            if (ReadPointer(regs.Sp) is not { } ra)
            {
                StopReason = $"cannot read the return address at 0x{regs.Sp:x}";
                return null;
            }
            var caller = KeepCalleeSaved(regs);
            caller.Pc = ra;
            caller.Sp = regs.Sp + 8;
            cfa = caller.Sp;
            return caller;
        }

        if (regs.Get(RegisterSet.Rbp) is { } rbp && rbp != 0 && rbp >= regs.Sp && rbp - regs.Sp < 64UL << 20 && rbp % 8 == 0)
        {
            method = UnwindMethod.FramePointer;
            if (ReadPointer(rbp) is not { } savedRbp || ReadPointer(rbp + 8) is not { } ra)
            {
                StopReason = $"cannot read the frame record at 0x{rbp:x}";
                return null;
            }
            var caller = KeepCalleeSaved(regs);
            caller.Set(RegisterSet.Rbp, savedRbp);
            caller.Pc = ra;
            caller.Sp = rbp + 16;
            cfa = caller.Sp;
            return caller;
        }
        StopReason = $"no call frame information and no frame pointer at 0x{regs.Pc:x}";
        return null;
    }

    private static RegisterSet KeepCalleeSaved(RegisterSet regs)
    {
        var caller = new RegisterSet { FsBase = regs.FsBase, GsBase = regs.GsBase };
        foreach (var r in CalleeSaved)
        {
            if (regs.Get(r) is { } v) caller.Set(r, v);
        }
        return caller;
    }

    private ulong? ComputeCfa(CfaRule rule, RegisterSet regs)
    {
        if (!rule.IsDefined) return null;
        if (rule.IsExpression) return CfiExpression.Evaluate(rule.Expression.Span, regs, memory, null);
        return regs.Get(rule.Register) is { } r ? r + (ulong)rule.Offset : null;
    }

    private ulong? Apply(RegisterRule rule, RegisterSet regs, ulong cfa) => rule.Kind switch
    {
        RegisterRuleKind.Offset => ReadPointer(cfa + (ulong)rule.Offset),
        RegisterRuleKind.ValOffset => cfa + (ulong)rule.Offset,
        RegisterRuleKind.Register => regs.Get(rule.Register),
        RegisterRuleKind.Expression => CfiExpression.Evaluate(rule.Expression.Span, regs, memory, cfa) is { } a ? ReadPointer(a) : null,
        RegisterRuleKind.ValExpression => CfiExpression.Evaluate(rule.Expression.Span, regs, memory, cfa),
        _ => null,
    };

    private ulong? ReadPointer(ulong address)
    {
        Span<byte> buffer = stackalloc byte[8];
        return memory.Read(address, buffer) == 8 ? BitConverter.ToUInt64(buffer) : null;
    }
}
