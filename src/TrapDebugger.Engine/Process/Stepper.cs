using Iced.Intel;
using TrapDebugger.Dwarf;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;

namespace TrapDebugger.Engine.Process;

/// <summary>Steps a thread by source line (over, into, out, honouring inlined frames) or by instruction, and runs to a
/// location: single-steps only inside the line being stepped, and runs every call it does not stop in at full speed to a
/// breakpoint on its return address.</summary>
internal sealed class Stepper(RunControl run, ITarget target, Target modules, BreakpointTable breakpoints, Action<DebugEvent> raise)
{
    /// <summary>The most instructions one source-level step executes one at a time before giving up and stopping.</summary>
    public const int MaxStepInstructions = 200_000;

    private readonly ITargetMemory _memory = target.Memory;
    private long _instructionSteps;
    // How many instructions the last raw step ran (a range step runs several).
    private int _lastSteps;

    /// <summary>How many single-instruction steps (PTRACE_SINGLESTEP) the engine has issued for steps so far: what a
    /// source-level step costs, since each one is a round trip through the kernel.</summary>
    public long InstructionStepCount => Interlocked.Read(ref _instructionSteps);


    /// <summary>Where a thread is, in the terms stepping decides by.</summary>
    private readonly record struct Position(ulong Pc, ulong Sp, ulong Cfa, Module? Module, AddressLookup? Lookup)
    {
        public int ChainLength => Lookup?.Frames.Count ?? 0;

        public DwarfLineRow? Row => Lookup?.Row;

        public bool HasLine => Lookup?.Row is { Line: > 0 };

        // A step ends at the first instruction of a statement row, never in the middle of one.
        public bool AtStatementStart => Lookup?.Row is { Line: > 0, IsStatement: true } row && Module is { } m && row.Address == m.ToFileAddress(Pc);

        public (string? File, uint Line) LineKey => Lookup?.Line is { } l ? (l.File, l.Line) : (null, 0);
    }

    private async Task<Position> WhereAsync(int threadId)
    {
        var regs = RegisterSet.FromGeneral(await target.GetRegistersAsync(threadId).ConfigureAwait(false));
        var frames = new Unwinder(modules, _memory).Unwind(regs, 1);
        var module = modules.ModuleAt(regs.Pc);
        AddressLookup? lookup = null;
        if (module?.Symbols is { } symbols)
        {
            try
            {
                lookup = symbols.Lookup(module.ToFileAddress(regs.Pc));
            }
            catch (InvalidDataException)
            {
                lookup = null;
            }
        }
        return new Position(regs.Pc, regs.Sp, frames[0].Cfa, module, lookup);
    }

    /// <summary>Steps thread <paramref name="threadId"/> (others stay stopped while single-stepping, and run while a call is stepped over); the end arrives as a <see cref="StoppedEvent"/>.</summary>
    /// <param name="threadId">The thread to step.</param>
    /// <param name="kind">The kind of step.</param>
    /// <param name="frameId">The selected frame (for step over/out from a caller or inlined frame); the innermost frame when null.</param>
    public async Task StepAsync(int threadId, StepKind kind, int? frameId)
    {
        run.RequireStopped();
        var snapshot = run.Snapshot;
        // The innermost machine frame (with its inlined frames) is all a step from it needs; a caller's frame was handed
        // out by an earlier stack trace, which is in the snapshot.
        var (frames, _) = await snapshot.GetStackTraceAsync(threadId, 0, frameId is null ? 1 : 256).ConfigureAwait(false);
        if (frames.Count == 0) throw new EngineException($"thread {threadId} has no frames to step from");
        var selected = frameId is { } id ? frames.FirstOrDefault(f => f.Id == id) ?? snapshot.GetFrame(id) : frames[0];
        // Frames inlined into the same machine frame, innermost first, up to and including the selected one (counted by
        // depth: at an inlined call site the frames of the calls about to be made are hidden but still in the chain).
        int chainLength = frames.Where(f => f.Physical.Index == selected.Physical.Index).Max(f => f.InlineDepth) + 1;
        int outerDistance = chainLength - 1 - selected.InlineDepth;
        var startLine = selected.Location is { } l ? (l.File, l.Line) : ((string?)null, 0u);
        var startDie = selected.FunctionDie;
        ulong startCfa = selected.Cfa;
        ulong? returnAddress = null;
        if (kind == StepKind.Out && !selected.IsInlined)
        {
            var caller = frames.FirstOrDefault(f => f.Physical.Index == selected.Physical.Index + 1);
            if (caller is null)
            {
                var more = await snapshot.GetStackTraceAsync(threadId, 0, selected.Index + 64).ConfigureAwait(false);
                caller = more.Frames.FirstOrDefault(f => f.Physical.Index == selected.Physical.Index + 1);
            }
            if (caller is null) throw new EngineException("the selected frame has no caller to return to");
            returnAddress = caller.Pc;
        }
        await run.StartRun(async () =>
        {
            raise(new ContinuedEvent(threadId));
            StopInfo? result = kind switch
            {
                StepKind.Instruction => await StepOneInstructionAsync(threadId).ConfigureAwait(false),
                StepKind.Out when returnAddress is { } ra => await RunToReturnAsync(threadId, ra, startCfa).ConfigureAwait(false),
                _ => await StepLinesAsync(threadId, kind, startCfa, outerDistance, startDie, startLine).ConfigureAwait(false),
            };
            if (run.HasExited) return;
            run.ReportStop(result ?? new StopInfo(threadId, StopCause.Step, "step", [], null, 0));
        }, "step").ConfigureAwait(false);
    }

    /// <summary>Runs until <paramref name="file"/>:<paramref name="line"/> is reached by any thread (DAP goto-like "run to cursor").</summary>
    public async Task RunToLineAsync(string file, int line)
    {
        run.RequireStopped();
        var probe = new Breakpoint { Id = 0, Kind = BreakpointKind.SourceLine, File = file, Line = line };
        var addresses = modules.Modules.SelectMany(m => BreakpointResolver.Resolve(probe, m)).Select(l => l.Address).Distinct().ToList();
        if (addresses.Count == 0) throw new EngineException($"no loaded module has code for {Path.GetFileName(file)}:{line}");
        await RunToAddressesAsync(addresses).ConfigureAwait(false);
    }

    /// <summary>Runs until any thread reaches one of <paramref name="addresses"/>.</summary>
    public Task RunToAddressesAsync(IReadOnlyList<ulong> addresses) => run.StartRun(async () =>
    {
        raise(new ContinuedEvent(run.LastThreadId));
        int generation = run.ExecGeneration;
        var insertions = addresses.Select(a => new BreakpointInsertion(a)).ToList();
        var failures = await BreakpointInsertion.InsertEachAsync(target, insertions).ConfigureAwait(false);
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            await target.RemoveBreakpointsAsync([.. insertions.Where((_, i) => failures[i] is null)]).ConfigureAwait(false);
            throw failure;
        }
        try
        {
            while (true)
            {
                var stop = await run.ResumeAndWaitAsync(() => target.ContinueAsync()).ConfigureAwait(false);
                if (stop is null) return;
                if (stop.Reason == StopReason.Breakpoint && addresses.Contains(stop.Address))
                {
                    run.ReportStop(new StopInfo(stop.ThreadId, StopCause.Goto, "reached the location", [], null, 0));
                    return;
                }
                var info = await run.ClassifyStopAsync(stop).ConfigureAwait(false);
                if (info is null) continue;
                run.ReportStop(info);
                return;
            }
        }
        finally
        {
            if (!run.HasExited && generation == run.ExecGeneration)
            {
                await target.RemoveBreakpointsAsync(insertions).ConfigureAwait(false);
            }
        }
    }, "run to location");

    private async Task<StopInfo?> StepOneInstructionAsync(int threadId)
    {
        Interlocked.Increment(ref _instructionSteps);
        var stop = await run.ResumeAndWaitAsync(() => target.StepInstructionAsync(threadId)).ConfigureAwait(false);
        if (stop is null) return null;
        if (stop.Reason == StopReason.Step && stop.ThreadId == threadId) return new StopInfo(threadId, StopCause.Step, "instruction step", [], null, 0);
        return await run.ClassifyStopAsync(stop).ConfigureAwait(false) ?? new StopInfo(threadId, StopCause.Step, "instruction step", [], null, 0);
    }

    /// <summary>Single-steps one instruction, or, given <paramref name="range"/>, every instruction while the pc stays in it
    /// and is not at a call (the target does that in one request); returns a stop to report instead of the step (a signal),
    /// or null when the step completed.</summary>
    private async Task<(bool Done, StopInfo? Interrupt)> RawStepAsync(int threadId, (ulong Start, ulong End)? range = null)
    {
        var stop = await run.ResumeAndWaitAsync(() => range is { } r ? target.StepInRangeAsync(threadId, r.Start, r.End) : target.StepInstructionAsync(threadId))
            .ConfigureAwait(false);
        Interlocked.Add(ref _instructionSteps, Math.Max(1, stop?.InstructionsStepped ?? 1));
        _lastSteps = Math.Max(1, stop?.InstructionsStepped ?? 1);
        if (stop is null) return (false, null);
        if (stop.Reason == StopReason.Step && stop.ThreadId == threadId) return (true, null);
        if (stop.Reason == StopReason.Breakpoint && stop.ThreadId == threadId)
        {
            // Stepping onto a breakpoint is still a completed step; the breakpoint reports on the next resume.
            return (true, null);
        }
        var info = await run.ClassifyStopAsync(stop).ConfigureAwait(false);
        return info is null ? (true, null) : (false, info);
    }

    /// <summary>Runs all threads until <paramref name="threadId"/> returns to <paramref name="address"/> with its stack pointer at <paramref name="expectedSp"/>
    /// (recursive calls reaching the same address deeper in the stack are passed over); returns a stop that interrupted it, or null on arrival.</summary>
    private async Task<StopInfo?> RunToReturnAsync(int threadId, ulong address, ulong expectedSp)
    {
        var (_, interrupt) = await RunUntilAsync(threadId, [address], (_, sp) => sp >= expectedSp).ConfigureAwait(false);
        return interrupt;
    }

    /// <summary>Runs all threads with temporary breakpoints at <paramref name="addresses"/> until <paramref name="threadId"/>
    /// reaches one of them in a state <paramref name="arrived"/> accepts (address, stack pointer); returns the address reached,
    /// or the stop that interrupted the run. Other threads passing the temporary breakpoints are let go.</summary>
    private async Task<(ulong? Reached, StopInfo? Interrupt)> RunUntilAsync(int threadId, IReadOnlyList<ulong> addresses, Func<ulong, ulong, bool> arrived)
    {
        var inserted = new List<ulong>();
        int generation = run.ExecGeneration;
        try
        {
            var wanted = addresses.Distinct().ToList();
            var failures = await BreakpointInsertion.InsertEachAsync(target, [.. wanted.Select(a => new BreakpointInsertion(a))]).ConfigureAwait(false);
            // An address in no mapped page cannot be reached either.
            for (var i = 0; i < wanted.Count; i++)
                if (failures[i] is null) inserted.Add(wanted[i]);
            while (true)
            {
                var stop = await run.ResumeAndWaitAsync(() => target.ContinueAsync()).ConfigureAwait(false);
                if (stop is null) return (null, null);
                if (stop.Reason == StopReason.Breakpoint && inserted.Contains(stop.Address))
                {
                    if (stop.ThreadId == threadId)
                    {
                        var regs = await target.GetRegistersAsync(threadId).ConfigureAwait(false);
                        if (arrived(stop.Address, regs.Rsp)) return (stop.Address, null);
                    }
                    if (!breakpoints.IsSite(stop.Address)) continue;
                }
                var info = await run.ClassifyStopAsync(stop).ConfigureAwait(false);
                if (info is not null) return (null, info);
            }
        }
        finally
        {
            if (!run.HasExited && generation == run.ExecGeneration)
            {
                await target.RemoveBreakpointsAsync([.. inserted.Select(a => new BreakpointInsertion(a))]).ConfigureAwait(false);
            }
        }
    }

    private async Task<Instruction?> DecodeAtAsync(ulong pc)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var bytes = new byte[15];
        int n = _memory.Read(pc, bytes);
        if (n <= 0) return null;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes, 0, n), pc);
        decoder.Decode(out var instruction);
        return instruction.IsInvalid ? null : instruction;
    }

    /// <summary>The addresses from the line-table row that holds <paramref name="here"/> on through the rows after it at which
    /// no line step could end: rows without a line or that do not start a statement, and, stepping over, statement rows
    /// of the same line. While the pc stays inside them (past the first instruction) and meets no call, the step's
    /// decisions cannot change, so the target steps through them in one request.</summary>
    private static (ulong Start, ulong End)? StepRange(Position here, StepKind kind)
    {
        if (here.Module is not { } module || here.Lookup?.Unit?.LineProgram is not { } program) return null;
        try
        {
            var rows = program.Rows;
            var i = program.FindRow(module.ToFileAddress(here.Pc));
            if (i < 0 || i + 1 >= rows.Count) return null;
            var first = rows[i];
            var j = i + 1;
            while (j + 1 < rows.Count && !rows[j].EndSequence && rows[j + 1].Address >= rows[j].Address
                   && (rows[j].Line == 0 || !rows[j].IsStatement || (kind == StepKind.Over && rows[j].File == first.File && rows[j].Line == first.Line)))
                j++;
            var (start, end) = (first.Address, rows[j].Address);
            return end > start ? (module.ToRuntimeAddress(start), module.ToRuntimeAddress(end)) : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Steps by source line (over or into) in the frame identified by <paramref name="startCfa"/> and its distance from the machine frame's function.</summary>
    private async Task<StopInfo?> StepLinesAsync(int threadId, StepKind kind, ulong startCfa, int outerDistance, DwarfDie? startDie,
        (string? File, uint Line) startLine)
    {
        Position? next = null;
        for (int steps = 0; steps < MaxStepInstructions; steps++)
        {
            // Where the last pass left the thread, unless it ran since.
            var here = next ?? await WhereAsync(threadId).ConfigureAwait(false);
            next = null;
            if (kind != StepKind.Into && await DecodeAtAsync(here.Pc).ConfigureAwait(false) is { } insn
                && insn.FlowControl is FlowControl.Call or FlowControl.IndirectCall)
            {
                var interrupt = await RunToReturnAsync(threadId, insn.NextIP, here.Sp).ConfigureAwait(false);
                if (interrupt is not null || run.HasExited) return interrupt;
            }
            else
            {
                var (done, interrupt) = await RawStepAsync(threadId, StepRange(here, kind)).ConfigureAwait(false);
                if (!done) return interrupt;
                steps += _lastSteps - 1;
            }

            var now = await WhereAsync(threadId).ConfigureAwait(false);
            next = now;
            if (now.Cfa == startCfa && !now.HasLine && now.Module is { } jumped && (jumped.IsInPlt(now.Pc) || modules.IsFunctionEntry(now.Pc)))
            {
                // A tail call (a jmp, at -O2) into a PLT stub or a function without lines: it returns to the frame's
                // caller. Run it like a call rather than one instruction at a time.
                var (ended, interrupt) = await EnterOrRunOverCallAsync(threadId, now, kind).ConfigureAwait(false);
                if (ended) return interrupt;
                now = await WhereAsync(threadId).ConfigureAwait(false);
                next = now;
            }
            if (now.Cfa > startCfa && now.Sp > startCfa - 8)
            {
                // Returned from the frame: the step ends in the caller, as lldb shows it.
                return null;
            }
            if (now.Cfa < startCfa)
            {
                // In a function called from the frame.
                var (ended, interrupt) = await EnterOrRunOverCallAsync(threadId, now, kind).ConfigureAwait(false);
                if (ended) return interrupt;
                // The return address may itself be the first instruction of the next line: judge it before stepping on.
                now = await WhereAsync(threadId).ConfigureAwait(false);
                next = now;
                if (now.Cfa != startCfa) continue;
            }
            if (kind == StepKind.Out)
            {
                // Leaving an inlined frame: done once the chain no longer holds it.
                if (now.ChainLength - 1 - outerDistance < 0) return null;
                continue;
            }
            if (!now.HasLine || !now.AtStatementStart) continue;
            int myDepth = now.ChainLength - 1 - outerDistance;
            if (myDepth < 0) return null; // left the inlined function into its caller
            if (myDepth > 0)
            {
                // Entered an inlined call: stop in it unless it is code a step into avoids (std:: inlined at -O2).
                if (kind == StepKind.Into && modules.StepAvoidance.Reason(now.Module, now.Lookup) is null) return null;
                continue;
            }
            var die = now.Lookup!.Frames[myDepth].Die;
            if (startDie is { } sd && die != sd) return null;
            if (now.LineKey != startLine) return null;
        }
        return new StopInfo(threadId, StopCause.Step, $"step stopped after {MaxStepInstructions} instructions without reaching a new line", [], null, 0);
    }

    /// <summary>The thread has entered a function the stepped frame called: a step into steps into it (or past it, when it
    /// is avoided); any other step runs at full speed back to the caller.</summary>
    /// <returns>Whether the step has ended, and the stop that interrupted it, if any.</returns>
    private async Task<(bool Ended, StopInfo? Interrupt)> EnterOrRunOverCallAsync(int threadId, Position now, StepKind kind)
    {
        if (kind == StepKind.Into)
        {
            var (stopped, interrupt) = await StepIntoCalleeAsync(threadId, now).ConfigureAwait(false);
            return (stopped || interrupt is not null || run.HasExited, interrupt);
        }
        if (ReadPointer(now.Sp) is { } ra)
        {
            var interrupt = await RunToReturnAsync(threadId, ra, now.Sp + 8).ConfigureAwait(false);
            return (interrupt is not null || run.HasExited, interrupt);
        }
        return (false, null);
    }

    /// <summary>Decides a step into that has just entered a callee at <paramref name="entry"/> (its first instruction, the
    /// return address on top of the stack): follows a PLT stub to the function it reaches, stops there when it has lines
    /// and is not avoided, and otherwise runs at full speed back to the return address.</summary>
    /// <returns>Stopped: the step ends in the callee (Interrupt is then the prologue run's interruption, if any); otherwise
    /// the callee has returned (or Interrupt says what stopped the run instead).</returns>
    private async Task<(bool Stopped, StopInfo? Interrupt)> StepIntoCalleeAsync(int threadId, Position entry)
    {
        ulong entrySp = entry.Sp;
        if (ReadPointer(entrySp) is not { } returnAddress) return (true, null);
        bool Returned(ulong address, ulong sp) => address == returnAddress && sp > entrySp;
        var here = entry;
        if (entry.Module is { } plt && plt.IsInPlt(entry.Pc))
        {
            var destinations = await PltDestinationsAsync(plt, entry.Pc).ConfigureAwait(false);
            // A PLT stub jumps: the function it reaches starts with the same stack pointer.
            var (reached, interrupt) = await RunUntilAsync(threadId, [.. destinations, returnAddress],
                (address, sp) => Returned(address, sp) || (address != returnAddress && sp == entrySp)).ConfigureAwait(false);
            if (interrupt is not null || reached is null) return (false, interrupt);
            if (reached == returnAddress) return (false, null);
            here = await WhereAsync(threadId).ConfigureAwait(false);
        }
        if (modules.StepAvoidance.Reason(here.Module, here.Lookup) is null)
        {
            var prologue = await SkipPrologueAsync(threadId, here).ConfigureAwait(false);
            if (prologue is not null || run.HasExited) return (true, prologue);
            return (true, await LeaveAvoidedInlinedCodeAsync(threadId, here.Cfa).ConfigureAwait(false));
        }
        var (_, back) = await RunUntilAsync(threadId, [returnAddress], Returned).ConfigureAwait(false);
        return (false, back);
    }

    /// <summary>At -O2 a function's body often starts inside inlined std:: code (the std::to_string of its first line);
    /// steps on, running calls to their return, until the thread is in code a step into may stop in, as lldb steps out
    /// of an avoided inlined frame.</summary>
    private async Task<StopInfo?> LeaveAvoidedInlinedCodeAsync(int threadId, ulong frameCfa)
    {
        for (int steps = 0; steps < MaxStepInstructions; steps++)
        {
            var here = await WhereAsync(threadId).ConfigureAwait(false);
            if (here.Cfa != frameCfa || modules.StepAvoidance.Reason(here.Module, here.Lookup) is null) return null;
            if (await DecodeAtAsync(here.Pc).ConfigureAwait(false) is { FlowControl: FlowControl.Call or FlowControl.IndirectCall } call)
            {
                var interrupt = await RunToReturnAsync(threadId, call.NextIP, here.Sp).ConfigureAwait(false);
                if (interrupt is not null || run.HasExited) return interrupt;
                continue;
            }
            var (done, stepInterrupt) = await RawStepAsync(threadId).ConfigureAwait(false);
            if (!done) return stepInterrupt;
        }
        return null;
    }

    /// <summary>Where the PLT stub at <paramref name="stub"/> of <paramref name="module"/> goes: the address its GOT slot
    /// holds once bound, or, while the slot still leads to the lazy resolver, every exported function of the slot's symbol
    /// name (as lldb's step-through plan does); empty when neither is known.</summary>
    private async Task<IReadOnlyList<ulong>> PltDestinationsAsync(Module module, ulong stub)
    {
        ulong pc = stub;
        for (int i = 0; i < 3; i++)
        {
            if (await DecodeAtAsync(pc).ConfigureAwait(false) is not { } insn) return [];
            if (insn.Code == Code.Endbr64)
            {
                pc = insn.NextIP;
                continue;
            }
            if (insn.FlowControl != FlowControl.IndirectBranch || !insn.IsIPRelativeMemoryOperand) return [];
            ulong slot = insn.IPRelativeMemoryAddress;
            if (ReadPointer(slot) is { } bound && bound != 0 && !module.IsInPlt(bound)) return [bound];
            if (module.SlotSymbolName(slot) is not { } name) return [];
            return modules.Modules.SelectMany(m => m.ExportedFunctionAddresses(name)).Distinct().ToList();
        }
        return [];
    }

    /// <summary>After entering a function, runs to the end of its prologue (its first body line), as lldb and gdb stop there.</summary>
    private async Task<StopInfo?> SkipPrologueAsync(int threadId, Position entry)
    {
        if (entry.Module?.Symbols is not { } symbols || entry.Lookup?.Function is not { } fn) return null;
        var ranges = fn.Die.Ranges;
        ulong file = entry.Module.ToFileAddress(entry.Pc);
        var range = ranges.FirstOrDefault(r => r.Contains(file));
        if (range.Low != file) return null;
        var match = new FunctionMatch(fn.Name ?? "", fn.QualifiedName, fn.LinkageName, file, ranges, false, fn.Die, null);
        ulong target = BreakpointResolver.AfterPrologue(symbols, match);
        if (target == file) return null;
        return await RunToReturnAsync(threadId, entry.Module.ToRuntimeAddress(target), 0).ConfigureAwait(false);
    }

    private ulong? ReadPointer(ulong address)
    {
        Span<byte> buffer = stackalloc byte[8];
        return _memory.Read(address, buffer) == 8 ? BitConverter.ToUInt64(buffer) : null;
    }
}
