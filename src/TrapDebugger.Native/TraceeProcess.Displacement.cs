using TrapDebugger.Native.Breakpoints;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Proc;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

// Passing a breakpoint without taking it out: the instruction under it runs out of line, in a slot of a scratch page the
// tracer maps into the program (or, for a call, is done by the tracer), so a thread that hits a breakpoint nobody wants
// reported goes on after one stop, and no other thread is ever stopped for it.
public sealed partial class TraceeProcess
{
    private const long SysMmap = 9, SysMunmap = 11;
    private const ulong ProtReadExec = 0x1 | 0x4;
    private const ulong MapPrivateAnonymousFixedNoReplace = 0x02 | 0x20 | 0x100000;

    private readonly ScratchSpace scratch = new();
    private long passesOutOfLine, passesInPlace;

    /// <summary>How many times a thread has passed a breakpoint by running its instruction out of line (or having the
    /// tracer do its call), and how many times in place with the other threads stopped.</summary>
    internal (long OutOfLine, long InPlace) BreakpointPasses => (Interlocked.Read(ref passesOutOfLine), Interlocked.Read(ref passesInPlace));

    /// <summary>On the tracer thread, while other threads may run: a thread stopped at <paramref name="site"/> by a hit
    /// nobody wants reported runs the instruction there out of line and resumes. False when that needs every thread
    /// stopped (a scratch page must be mapped, or the instruction runs in place).</summary>
    private bool TryPassOver(TraceeThread thread, ulong site)
    {
        if (SiteAt(site) is not { } at || thread.ResumeSignal != 0) return false;
        var regs = GetRegisters(thread);
        if (regs.Rip != site || Displacement(at, mapWith: null) is not { Kind: not DisplacementKind.InPlace } plan) return false;
        if (!Displace(thread, plan, ref regs)) return false;
        CacheRegisters(thread, regs, written: false);
        return Resume(thread, Ptrace.CONT);
    }

    /// <summary>How the instruction at <paramref name="site"/> runs while the breakpoint stays, its slot placed; null when
    /// its slot needs a new scratch page and no thread was given to map one with (that needs every thread stopped).</summary>
    private DisplacedInstruction? Displacement(BreakpointSite site, TraceeThread? mapWith)
    {
        lock (sitesGate)
        {
            var plan = site.Displaced;
            if (plan is null)
            {
                Span<byte> code = stackalloc byte[15];
                var n = Read(site.Address, code);
                site.Displaced = plan = DisplacedInstruction.Plan(site.Address, code[..n]);
            }
            if (plan.Kind != DisplacementKind.Slot || plan.Slot != 0) return plan;
            if (!scratch.HasRoomNear(site.Address))
            {
                if (mapWith is null) return null;
                if (!MapScratchPage(mapWith, site.Address))
                {
                    plan.RunInPlace("no scratch page could be mapped within reach of it");
                    return plan;
                }
            }
            var slot = scratch.TakeSlot(site.Address)!.Value;
            if (plan.Encode(slot) is not { } encoded)
            {
                plan.RunInPlace("it cannot be re-encoded for the scratch page");
                return plan;
            }
            if (memory.Write(slot, encoded.Code) != encoded.Code.Length)
            {
                plan.RunInPlace("its copy could not be written to the scratch page");
                return plan;
            }
            plan.Place(slot, encoded.ResumeOffset);
            scratch.Register(plan);
            return plan;
        }
    }

    /// <summary>Sets a thread at the site up to run the instruction out of line: the pc into its slot, or, for a call, the
    /// return address pushed and the pc at the callee. False when it must run in place instead (the call's target or stack
    /// cannot be reached, so executing it in place faults where the program would).</summary>
    private bool Displace(TraceeThread thread, DisplacedInstruction plan, ref GeneralRegisters regs)
    {
        if (plan.Kind == DisplacementKind.Slot)
        {
            regs.Rip = plan.Slot;
            Interlocked.Increment(ref passesOutOfLine);
            return true;
        }
        thread.ShadowStack ??= ProcFs.ThreadStatus(Pid, thread.Tid)?.ShadowStack ?? false;
        if (thread.ShadowStack == true || plan.CallTarget(regs, this) is not { } target) return false;
        // Written as the program would write it, through the page protections: a stack that cannot take the return
        // address faults in place instead.
        Span<byte> returnAddress = stackalloc byte[8];
        BitConverter.TryWriteBytes(returnAddress, plan.Next);
        if (memory.WriteAsProgram(regs.Rsp - 8, returnAddress) != 8) return false;
        regs.Rsp -= 8;
        regs.Rip = target;
        Interlocked.Increment(ref passesOutOfLine);
        return true;
    }

    /// <summary>Once every thread is stopped: a thread inside a slot is shown where it is in the program. At the start of
    /// the slot it has not run the instruction (it is on the breakpoint again, and passes it on resume without a new hit);
    /// at the jump back it has (it is after the instruction). Between the two (a short branch re-encoded as several
    /// instructions) it is stepped to one of them.</summary>
    private void LeaveScratchSlots()
    {
        if (!scratch.Pages.Any()) return;
        foreach (var t in threads.Values.ToList())
        {
            if (t.Running || t.InExitStop || !threads.ContainsKey(t.Tid)) continue;
            for (var step = 0; step < 8; step++)
            {
                var regs = GetRegisters(t);
                if (scratch.Find(regs.Rip) is not { } found) break;
                var (plan, offset) = found;
                if (offset == 0 || offset == plan.ResumeOffset)
                {
                    if (offset != 0 && plan.IsSystemCall)
                    {
                        if (SystemCallWillRestart(t)) t.RestartInSlot = plan;
                        // What the slot's next instruction would have done: rcx as the call left it in place.
                        regs.Rcx = plan.Next;
                    }
                    regs.Rip = offset == 0 ? plan.Site : plan.Next;
                    SetRegisters(t, regs);
                    break;
                }
                if (t.InGroupStop || !StepQuietly(t)) break;
            }
        }
    }

    /// <summary>On resume: a thread shown after a system call run out of line that the kernel will restart goes back into
    /// the slot, so the restart runs the copy there rather than meeting the breakpoint.</summary>
    private void ReturnToSlot(TraceeThread thread)
    {
        if (thread.RestartInSlot is not { } plan) return;
        thread.RestartInSlot = null;
        var regs = GetRegisters(thread);
        if (regs.Rip != plan.Next || !SystemCallWillRestart(thread)) return;
        regs.Rip = plan.Slot + (ulong)plan.ResumeOffset;
        CacheRegisters(thread, regs, written: false);
    }

    /// <summary>Single-steps one thread while every other stays stopped, without reporting the step; false when the step
    /// did not end (the thread is gone or took a signal).</summary>
    private bool StepQuietly(TraceeThread thread)
    {
        var keep = thread.ResumeSignal;
        thread.ResumeSignal = 0;
        thread.Stepping = true;
        thread.ClientStep = false;
        try
        {
            if (!Resume(thread, Ptrace.SINGLESTEP)) return false;
            var deadline = Environment.TickCount64 + (long)StopTimeout.TotalMilliseconds;
            while (state != RunState.Gone && thread.Running && threads.ContainsKey(thread.Tid))
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || tracer.TakeWait(TimeSpan.FromMilliseconds(left)) is not { } r) return false;
                HandleWhileStopping(r, null);
            }
            return state != RunState.Gone && threads.ContainsKey(thread.Tid) && !thread.Stepping && thread.ResumeSignal == 0;
        }
        finally
        {
            thread.Stepping = false;
            if (keep != 0) thread.ResumeSignal = keep;
        }
    }

    /// <summary>With every thread stopped: maps a scratch page within reach of <paramref name="site"/>, making
    /// <paramref name="thread"/> run an mmap system call.</summary>
    private bool MapScratchPage(TraceeThread thread, ulong site)
    {
        if (thread.InGroupStop || thread.InExitStop || thread.Exiting) return false;
        if (FreeRangeNear(site) is not { } at) return false;
        var mapped = InjectSystemCall(thread, SysMmap, at, ScratchSpace.PageSize, ProtReadExec, MapPrivateAnonymousFixedNoReplace, ulong.MaxValue, 0);
        if (mapped != at)
        {
            // MAP_FIXED_NOREPLACE unknown to an old kernel is taken as a hint: a page elsewhere is of no use.
            if (mapped is { } elsewhere && elsewhere < 0xffff_ffff_ffff_f000) InjectSystemCall(thread, SysMunmap, elsewhere, ScratchSpace.PageSize);
            return false;
        }
        scratch.AddPage(at);
        return true;
    }

    /// <summary>A page-aligned address within reach of <paramref name="site"/> where nothing is mapped: below the lowest
    /// mapping of the file (or mapping) that holds the site, in the nearest gap going down. Never just above the heap or
    /// just below the stack, which grow into their gaps.</summary>
    private ulong? FreeRangeNear(ulong site)
    {
        var maps = ProcFs.Maps(Pid);
        var index = maps.ToList().FindIndex(m => m.Start <= site && site < m.End);
        if (index < 0) return null;
        var owner = maps[index].Path;
        while (index > 0 && owner is not null && maps[index - 1].Path == owner) index--;
        for (var i = index; i >= 0; i--)
        {
            var below = i > 0 ? maps[i - 1].End : 0x10000UL;
            var top = maps[i].Start;
            if (maps[i].Path == "[stack]" || site - top >= ScratchSpace.Reach - ScratchSpace.PageSize) break;
            if (top >= below + 2 * ScratchSpace.PageSize) return top - ScratchSpace.PageSize;
        }
        return null;
    }

    /// <summary>Makes a stopped thread (every other stopped too) run one system call: two bytes at its pc become
    /// <c>syscall</c> for one single step, and its registers and those bytes are put back. Returns the call's result (rax),
    /// or null when the thread did not run it.</summary>
    /// <remarks>orig_rax is set to -1 so the kernel does not take the injected call for an interrupted one to restart;
    /// the saved registers bring back a restart that was pending.</remarks>
    private ulong? InjectSystemCall(TraceeThread thread, long number, params ulong[] args)
    {
        var saved = GetRegisters(thread);
        Span<byte> code = stackalloc byte[2];
        if (memory.Read(saved.Rip, code) != 2) return null;
        if (memory.Write(saved.Rip, [0x0F, 0x05]) != 2) return null;
        var regs = saved;
        regs.Rax = (ulong)number;
        regs.OrigRax = ulong.MaxValue;
        var argumentRegisters = new[] { 0, 1, 2, 3, 4, 5 };
        foreach (var i in argumentRegisters.Where(i => i < args.Length))
        {
            switch (i)
            {
                case 0: regs.Rdi = args[i]; break;
                case 1: regs.Rsi = args[i]; break;
                case 2: regs.Rdx = args[i]; break;
                case 3: regs.R10 = args[i]; break;
                case 4: regs.R8 = args[i]; break;
                case 5: regs.R9 = args[i]; break;
            }
        }
        ulong? result = null;
        try
        {
            SetRegisters(thread, regs);
            // A signal that arrives first is kept for the thread (and reported); the step is tried again.
            for (var attempt = 0; attempt < 4 && result is null; attempt++)
            {
                if (!StepQuietly(thread) && !threads.ContainsKey(thread.Tid)) return null;
                var now = GetRegisters(thread);
                if (now.Rip == saved.Rip + 2) result = now.Rax;
                else if (now.Rip != saved.Rip) break;
            }
        }
        finally
        {
            if (state != RunState.Gone && threads.ContainsKey(thread.Tid))
            {
                memory.Write(saved.Rip, code);
                SetRegisters(thread, saved);
            }
        }
        return result;
    }

    /// <summary>Unmaps the scratch pages before a detach: no thread is inside one any more (every stopped thread was shown
    /// at its place in the program), and the process is left as it was.</summary>
    private void UnmapScratchPages()
    {
        var pages = scratch.Pages.ToList();
        if (pages.Count == 0) return;
        var thread = threads.Values.FirstOrDefault(t => !t.Running && !t.InGroupStop && !t.InExitStop && !t.Exiting && t.RestartInSlot is null);
        if (thread is null) return;
        foreach (var page in pages) InjectSystemCall(thread, SysMunmap, page, ScratchSpace.PageSize);
        scratch.Clear();
    }
}
