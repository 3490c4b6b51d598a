using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Calls;

/// <summary>What a function call needs besides the target: the next stop while the thread runs, and a place in words.</summary>
internal interface ICallHost
{
    /// <summary>The process the call runs in.</summary>
    ITarget Target { get; }

    /// <summary>The next stop, or null when <paramref name="timeout"/> passes first; throws
    /// <see cref="ProcessEndedException"/> when the process ends.</summary>
    Task<ProcessStopped?> NextStopAsync(TimeSpan timeout);

    /// <summary>Where <paramref name="address"/> is, in words: "read_through (calls.c:67)".</summary>
    string Describe(ulong address);
}

/// <summary>Calls a function of the stopped program on one of its threads: the arguments are laid out by the System V
/// ABI below the thread's stack, the thread alone runs the function to a breakpoint on the return address, the result
/// is read from the registers or memory it came back in, and every register the thread had (general, x87, SSE, AVX)
/// and the signal it was stopped with are put back, whether the call returned, crashed or was interrupted.</summary>
/// <remarks>As lldb does by default, breakpoints and data breakpoints the function meets are passed over, and the other
/// threads stay stopped, so a function that waits for one of them does not return: the call is interrupted after
/// <see cref="Timeout"/>. The return address is the program's entry point (which runs once, at start), as in lldb.</remarks>
internal sealed class FunctionCaller(ICallHost host, ulong returnAddress)
{
    /// <summary>How long a called function may run before it is interrupted.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls <paramref name="signature"/> with <paramref name="arguments"/> on thread <paramref name="threadId"/>.</summary>
    /// <param name="signature">The function.</param>
    /// <param name="arguments">The arguments, converted to the parameter types (or promoted, past them).</param>
    /// <param name="threadId">The stopped thread that runs the call.</param>
    /// <returns>The value returned, or null for a void function.</returns>
    /// <exception cref="ExpressionException">The call could not be made, crashed or did not return; the thread is restored.</exception>
    public async Task<DebugValue?> CallAsync(CallSignature signature, IReadOnlyList<DebugValue> arguments, int threadId)
    {
        var target = host.Target;
        var thread = await target.SaveThreadAsync(threadId).ConfigureAwait(false);
        var saved = thread.Registers;
        bool alive = true;
        await target.InsertBreakpointAsync(returnAddress).ConfigureAwait(false);
        try
        {
            ulong address = signature.Address;
            if (signature.IsIndirect)
            {
                // The resolver of an indirect function takes nothing and returns the implementation's address.
                var resolver = new CallSignature(signature.Name, address, BuiltinTypes.VoidPointer, [], false);
                var (resolved, _) = await RunAsync(resolver, [], threadId, saved).ConfigureAwait(false);
                address = resolved!.GetRawInteger(target.Memory);
                await target.SetRegistersAsync(threadId, saved).ConfigureAwait(false);
            }
            var (value, ok) = await RunAsync(signature with { Address = address }, arguments, threadId, saved).ConfigureAwait(false);
            alive = ok;
            return value;
        }
        catch (ProcessEndedException e)
        {
            alive = false;
            throw new ExpressionException($"the process ended during the call of {signature.Name}: {e.Message}");
        }
        finally
        {
            if (alive)
            {
                await target.RemoveBreakpointAsync(returnAddress).ConfigureAwait(false);
                await target.RestoreThreadAsync(threadId, thread).ConfigureAwait(false);
            }
        }
    }

    private async Task<(DebugValue? Value, bool Alive)> RunAsync(CallSignature signature, IReadOnlyList<DebugValue> arguments, int threadId, GeneralRegisters saved)
    {
        var target = host.Target;
        CallPlan plan;
        try
        {
            plan = SysVCall.Plan(signature, arguments, target.Memory, saved.Rsp, returnAddress);
        }
        catch (ValueException e)
        {
            throw new ExpressionException($"cannot call {signature.Name}: {e.Message}");
        }
        foreach (var (at, bytes) in plan.Writes)
        {
            try
            {
                target.Memory.Write(at, bytes);
            }
            catch (TargetMemoryException e)
            {
                throw new ExpressionException($"cannot set up the call of {signature.Name} on the thread's stack: {e.Message}");
            }
        }
        var registers = saved;
        registers.Rip = signature.Address;
        registers.Rsp = plan.StackPointer;
        // No system call is to be restarted when the thread resumes in the function, and the direction and trap flags are clear.
        registers.OrigRax = ulong.MaxValue;
        registers.Eflags &= ~((1UL << 10) | (1UL << 8));
        var general = plan.IntegerRegisters;
        if (general.Count > 0) registers.Rdi = general[0];
        if (general.Count > 1) registers.Rsi = general[1];
        if (general.Count > 2) registers.Rdx = general[2];
        if (general.Count > 3) registers.Rcx = general[3];
        if (general.Count > 4) registers.R8 = general[4];
        if (general.Count > 5) registers.R9 = general[5];
        // A variadic function learns from al how many vector registers carry arguments.
        registers.Rax = (ulong)plan.VectorRegisters.Count;
        await target.SetRegistersAsync(threadId, registers).ConfigureAwait(false);
        if (plan.VectorRegisters.Count > 0)
        {
            var fp = await target.GetFloatingPointRegistersAsync(threadId).ConfigureAwait(false);
            for (int i = 0; i < plan.VectorRegisters.Count; i++) fp.SetXmm(i, plan.VectorRegisters[i]);
            await target.SetFloatingPointRegistersAsync(threadId, fp).ConfigureAwait(false);
        }

        bool interrupted = false;
        while (true)
        {
            await target.RunThreadAsync(threadId).ConfigureAwait(false);
            var stop = await host.NextStopAsync(Timeout).ConfigureAwait(false);
            if (stop is null)
            {
                interrupted = true;
                await target.PauseAsync().ConfigureAwait(false);
                stop = await host.NextStopAsync(Timeout).ConfigureAwait(false)
                    ?? throw new ExpressionException($"the call of {signature.Name} did not return within {Seconds(Timeout)} and could not be interrupted");
            }
            var now = await target.GetRegistersAsync(stop.ThreadId).ConfigureAwait(false);
            if (stop.ThreadId == threadId && stop.Reason == StopReason.Breakpoint && stop.Address == returnAddress && now.Rsp == plan.StackPointer + 8)
            {
                var fp = await target.GetFloatingPointRegistersAsync(threadId).ConfigureAwait(false);
                try
                {
                    return (SysVCall.Result(signature.ReturnType, plan, now.Rax, now.Rdx, fp.GetXmm(0), fp.GetXmm(1), target.Memory), true);
                }
                catch (ValueException e)
                {
                    throw new ExpressionException($"the call of {signature.Name} returned, but its result cannot be read: {e.Message}");
                }
            }
            if (interrupted || stop.Reason == StopReason.Pause)
                throw new ExpressionException($"the call of {signature.Name} did not return within {Seconds(Timeout)}; it was interrupted in {host.Describe(now.Rip)} and the thread was restored");
            if (stop.ThreadId == threadId && stop.Reason is StopReason.Breakpoint or StopReason.Watchpoint or StopReason.Step)
                continue;
            if (stop.Reason == StopReason.Signal && stop.Signal is { } info)
            {
                var what = Signals.Name(info.Signal);
                var where = info.IsFault ? $" (address 0x{info.Address:x})" : "";
                var whose = stop.ThreadId == threadId ? "" : $" on thread {stop.ThreadId}";
                throw new ExpressionException($"the call of {signature.Name} stopped with {what}{where}{whose} in {host.Describe(now.Rip)}; the thread was restored");
            }
            throw new ExpressionException($"the call of {signature.Name} stopped ({stop.Reason} on thread {stop.ThreadId}) in {host.Describe(now.Rip)}; the thread was restored");
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMilliseconds:0} ms";
}

/// <summary>The process ended while the debugger was running code in it.</summary>
internal sealed class ProcessEndedException(string message) : Exception(message);
