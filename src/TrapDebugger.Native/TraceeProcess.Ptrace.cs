using System.Runtime.InteropServices;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Interop;
using TrapDebugger.Native.Tracing;

namespace TrapDebugger.Native;

// The thin layer over individual ptrace requests; every method here runs on the tracer thread.
public sealed partial class TraceeProcess
{
    private static long Check(long result, string request, int tid)
    {
        if (result >= 0) return result;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.ESRCH)
            throw new TraceException($"{request} on thread {tid} failed: the thread is gone or not stopped (ESRCH); wait for the next stop and retry");
        throw new TraceException($"{request} on thread {tid} failed ({Marshal.GetPInvokeErrorMessage(errno)}); this is a tracer bug, please report it");
    }

    /// <summary>The registers of a stopped thread: read from the kernel once per stop, then from the thread's cache.</summary>
    private unsafe GeneralRegisters GetRegisters(TraceeThread thread)
    {
        if (thread.Registers is { } cached) return cached;
        GeneralRegisters regs;
        Check(LibC.Ptrace(Ptrace.GETREGS, thread.Tid, 0, (nint)(&regs)), "PTRACE_GETREGS", thread.Tid);
        CacheRegisters(thread, regs, written: true);
        return regs;
    }

    /// <summary>Sets the registers of a stopped thread now.</summary>
    private unsafe void SetRegisters(TraceeThread thread, GeneralRegisters regs)
    {
        Check(LibC.Ptrace(Ptrace.SETREGS, thread.Tid, 0, (nint)(&regs)), "PTRACE_SETREGS", thread.Tid);
        CacheRegisters(thread, regs, written: true);
    }

    /// <summary>Makes <paramref name="regs"/> the thread's registers for this stop; unless <paramref name="written"/>, the
    /// kernel is told when the thread resumes (<see cref="WriteBackRegisters"/>), so a stop that changes the pc and
    /// resumes costs one register write.</summary>
    private void CacheRegisters(TraceeThread thread, GeneralRegisters regs, bool written)
    {
        thread.Registers = regs;
        thread.RegistersUnwritten = !written;
        // Other threads read registers only while the process is stopped (see PublishRegisters for the rest).
        if (state == RunState.Stopped) publishedRegisters[thread.Tid] = new RegisterSnapshot(regs);
    }

    /// <summary>Every thread is stopped: the registers read while the process was stopping become readable from any
    /// thread.</summary>
    private void PublishRegisters()
    {
        foreach (var t in threads.Values)
            if (!t.Running && t.Registers is { } regs) publishedRegisters[t.Tid] = new RegisterSnapshot(regs);
    }

    /// <summary>Tells the kernel the registers cached but not yet written, before the thread leaves its stop.</summary>
    private unsafe void WriteBackRegisters(TraceeThread thread)
    {
        if (!thread.RegistersUnwritten || thread.Registers is not { } regs) return;
        thread.RegistersUnwritten = false;
        Check(LibC.Ptrace(Ptrace.SETREGS, thread.Tid, 0, (nint)(&regs)), "PTRACE_SETREGS", thread.Tid);
    }

    /// <summary>Forgets a thread's registers: it runs, or its stop ended.</summary>
    private void ForgetRegisters(TraceeThread thread)
    {
        thread.Registers = null;
        thread.RegistersUnwritten = false;
        publishedRegisters.TryRemove(thread.Tid, out _);
    }

    private unsafe SignalInfo GetSignalInfo(int tid)
    {
        var raw = stackalloc byte[128];
        Check(LibC.Ptrace(Ptrace.GETSIGINFO, tid, 0, (nint)raw), "PTRACE_GETSIGINFO", tid);
        return SignalInfo.Decode(new ReadOnlySpan<byte>(raw, SignalInfo.SiginfoSize));
    }

    private static unsafe ulong EventMessage(int tid)
    {
        ulong msg = 0;
        LibC.Ptrace(Ptrace.GETEVENTMSG, tid, 0, (nint)(&msg));
        return msg;
    }

    private static ulong PeekDebugRegister(int tid, int index)
    {
        Marshal.SetLastPInvokeError(0);
        var value = LibC.Ptrace(Ptrace.PEEKUSER, tid, Ptrace.DebugRegisterOffset + index * 8, 0);
        return value == -1 && Marshal.GetLastPInvokeError() != 0 ? 0 : (ulong)value;
    }

    private static bool PokeDebugRegister(int tid, int index, ulong value) =>
        LibC.Ptrace(Ptrace.POKEUSER, tid, Ptrace.DebugRegisterOffset + index * 8, (nint)value) >= 0;

    /// <summary>Writes the programmed slots into DR0-DR3 and DR7 of a stopped thread (DR7 last, so a slot is never
    /// enabled with a stale address).</summary>
    private void ApplyDebugRegisters(int tid)
    {
        PokeDebugRegister(tid, 7, 0);
        ulong dr7 = 0;
        for (var i = 0; i < 4; i++)
        {
            PokeDebugRegister(tid, i, slots[i]?.Address ?? 0);
            if (slots[i] is { } s) dr7 |= s.Dr7Bits;
        }
        if (dr7 != 0 && !PokeDebugRegister(tid, 7, dr7))
            throw new TraceException($"the kernel refused debug register settings DR7=0x{dr7:x} on thread {tid}; the address may be outside user space");
    }

    /// <summary>PEEKDATA, word by word, for what neither process_vm_readv nor the mem file could read.</summary>
    private int PeekRead(ulong address, Span<byte> buffer)
    {
        var tid = Pid;
        var done = 0;
        Span<byte> word = stackalloc byte[8];
        while (done < buffer.Length)
        {
            var at = address + (ulong)done;
            var aligned = at & ~7UL;
            Marshal.SetLastPInvokeError(0);
            var value = LibC.Ptrace(Ptrace.PEEKDATA, tid, (nint)aligned, 0);
            if (value == -1 && Marshal.GetLastPInvokeError() != 0) break;
            BitConverter.TryWriteBytes(word, value);
            var skip = (int)(at - aligned);
            var n = Math.Min(8 - skip, buffer.Length - done);
            word.Slice(skip, n).CopyTo(buffer[done..]);
            done += n;
        }
        return done;
    }

    /// <summary>Resumes one stopped thread the way its stop demands: PTRACE_LISTEN from a group-stop, otherwise
    /// <paramref name="request"/> with the signal it is to receive. False when the thread is gone.</summary>
    private bool Resume(TraceeThread thread, long request)
    {
        WriteBackRegisters(thread);
        ForgetRegisters(thread);
        long r;
        if (thread.InGroupStop && request == Ptrace.CONT)
        {
            r = LibC.Ptrace(Ptrace.LISTEN, thread.Tid, 0, 0);
            thread.InGroupStop = false;
        }
        else
        {
            r = LibC.Ptrace(request, thread.Tid, 0, thread.ResumeSignal);
            thread.ResumeSignal = 0;
            thread.InGroupStop = false;
        }
        if (thread.InExitStop)
        {
            thread.InExitStop = false;
            thread.Exiting = true;
        }
        thread.Running = true;
        if (r < 0)
        {
            // Killed while stopped (SIGKILL wakes even a ptrace-stop): it can only be reaped now.
            thread.Exiting = true;
            return false;
        }
        return true;
    }
}
