using System.Threading.Channels;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Memory;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Guardian;

/// <summary>A local process traced by a guardian process (<see cref="GuardianHost"/>): the live <see cref="ITarget"/> as the
/// debugger sees it when the tracer runs outside the debugger, so that the debugger's death cannot harm the process.</summary>
/// <remarks>
/// Run control, registers, breakpoints, watchpoints and writes are requests to the guardian; memory, <c>/proc</c> and files
/// are read here directly (with the breakpoint bytes the guardian reports masked, as the tracer masks them). A breakpoint
/// decision runs here, on the thread that answers the guardian's questions, when the guardian asks.
/// </remarks>
public sealed class GuardedTarget : ITarget
{
    private readonly GuardianConnection connection;
    private readonly int id;
    private readonly Channel<TargetEvent> events = Channel.CreateUnbounded<TargetEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private ProcessMemory memory;
    private readonly GuardedMemory view;
    private readonly object sitesGate = new();
    private readonly Dictionary<ulong, byte> sites = [];
    private readonly object decisionsGate = new();
    private readonly Dictionary<int, BreakpointDecision> decisions = [];
    private readonly Dictionary<(ulong Address, BreakpointDecision Decide), List<int>> decisionIds = [];
    private int nextDecision;
    private volatile int[] threadIds;
    private volatile LoadedModule[] modules;
    private volatile bool ended;
    // The registers the guardian sent with the last stop, until the process or a thread of it is resumed or changed.
    private volatile IReadOnlyDictionary<int, GeneralRegisters>? stopRegisters;

    private readonly bool ownsConnection;

    /// <summary>A target the guardian holds as <paramref name="id"/>; the first one of a guardian owns the connection (closing
    /// it ends the guardian), the processes it forks share it.</summary>
    internal GuardedTarget(GuardianConnection connection, int id, int pid, ProcessSnapshot snapshot, IEnumerable<KeyValuePair<ulong, byte>> patched,
        bool ownsConnection)
    {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.id = id;
        ProcessId = pid;
        threadIds = snapshot.ThreadIds;
        modules = snapshot.Modules;
        stopRegisters = snapshot.Registers;
        foreach (var (address, original) in patched) sites[address] = original;
        memory = new ProcessMemory(pid);
        view = new GuardedMemory(this);
    }

    /// <inheritdoc/>
    public int ProcessId { get; private set; }

    /// <inheritdoc/>
    public string? ExecutablePath => ProcFs.Executable(ProcessId);

    /// <inheritdoc/>
    public IReadOnlyList<int> ThreadIds => threadIds;

    /// <inheritdoc/>
    public bool HasEnded => ended;

    /// <inheritdoc/>
    public ChannelReader<TargetEvent> Events => events.Reader;

    /// <inheritdoc/>
    public ITargetMemory Memory => view;

    /// <inheritdoc/>
    public IReadOnlyList<LoadedModule> Modules => modules;

    /// <inheritdoc/>
    public Stream? StandardInput { get; internal set; }

    /// <inheritdoc/>
    public Stream? StandardOutput { get; internal set; }

    /// <inheritdoc/>
    public Stream? StandardError { get; internal set; }

    /// <inheritdoc/>
    public string? ThreadName(int threadId) => ProcFs.ThreadComm(ProcessId, threadId);

    /// <inheritdoc/>
    public TargetFile? OpenFile(string path) => LocalProcessView.OpenFile(ProcessId, path);

    /// <inheritdoc/>
    public Task<AuxVector> GetAuxiliaryVectorAsync() => Task.FromResult(ProcFs.Auxv(ProcessId));

    /// <inheritdoc/>
    public Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync() => Task.FromResult(ProcFs.Maps(ProcessId));

    /// <inheritdoc/>
    public Task<SignalDispositions> GetSignalDispositionsAsync(int threadId) => Task.FromResult(LocalProcessView.SignalDispositions(ProcessId, threadId));

    /// <inheritdoc/>
    /// <remarks>A stop brings the registers the guardian had read for it (the stopping thread's at least): those are
    /// answered without a round trip.</remarks>
    public async Task<GeneralRegisters> GetRegistersAsync(int threadId)
    {
        if (stopRegisters is { } known && known.TryGetValue(threadId, out var registers)) return registers;
        var result = await CallAsync(Operation.GetRegisters, w => w.I32(threadId)).ConfigureAwait(false);
        return new WireReader(result).Block<GeneralRegisters>();
    }

    /// <inheritdoc/>
    public async Task SetRegistersAsync(int threadId, GeneralRegisters registers)
    {
        stopRegisters = null;
        try
        {
            await CallAsync(Operation.SetRegisters, w => w.I32(threadId).Block(registers)).ConfigureAwait(false);
        }
        finally
        {
            view.Invalidate();
        }
    }

    /// <inheritdoc/>
    public async Task<FloatingPointRegisters> GetFloatingPointRegistersAsync(int threadId)
    {
        var result = await CallAsync(Operation.GetFloatingPointRegisters, w => w.I32(threadId)).ConfigureAwait(false);
        return new WireReader(result).Block<FloatingPointRegisters>();
    }

    /// <inheritdoc/>
    public async Task SetFloatingPointRegistersAsync(int threadId, FloatingPointRegisters registers)
    {
        try
        {
            await CallAsync(Operation.SetFloatingPointRegisters, w => w.I32(threadId).Block(registers)).ConfigureAwait(false);
        }
        finally
        {
            view.Invalidate();
        }
    }

    /// <inheritdoc/>
    public async Task<ulong[]> GetDebugRegistersAsync(int threadId)
    {
        var result = await CallAsync(Operation.GetDebugRegisters, w => w.I32(threadId)).ConfigureAwait(false);
        var r = new WireReader(result);
        var values = new ulong[8];
        for (var i = 0; i < values.Length; i++) values[i] = r.U64();
        return values;
    }

    /// <inheritdoc/>
    public Task ContinueAsync(bool deliverSignals = true) => Resume(Operation.Continue, w => w.Bool(deliverSignals));

    /// <inheritdoc/>
    public Task StepInstructionAsync(int threadId) => Resume(Operation.StepInstruction, w => w.I32(threadId));

    /// <inheritdoc/>
    public Task StepInRangeAsync(int threadId, ulong start, ulong end) => Resume(Operation.StepInRange, w => w.I32(threadId).U64(start).U64(end));

    /// <inheritdoc/>
    public Task RunThreadAsync(int threadId)
    {
        // The code may change any memory and the thread's registers: what was read before is stale.
        view.Invalidate();
        return Resume(Operation.RunThread, w => w.I32(threadId));
    }

    /// <summary>A request that lets threads run: the registers of the stop are stale from now on.</summary>
    private Task Resume(Operation op, Action<WireWriter>? arguments = null)
    {
        stopRegisters = null;
        return CallAsync(op, arguments);
    }

    /// <inheritdoc/>
    public async Task<SavedThreadState> SaveThreadAsync(int threadId)
    {
        var result = await CallAsync(Operation.SaveThread, w => w.I32(threadId)).ConfigureAwait(false);
        var r = new WireReader(result);
        return new SavedThreadState(r.Block<GeneralRegisters>(), r.Bytes(), r.I32());
    }

    /// <inheritdoc/>
    public async Task RestoreThreadAsync(int threadId, SavedThreadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        stopRegisters = null;
        try
        {
            await CallAsync(Operation.RestoreThread, w => w.I32(threadId).Block(state.Registers).Bytes(state.ExtendedState).I32(state.ResumeSignal)).ConfigureAwait(false);
        }
        finally
        {
            view.Invalidate();
        }
    }

    /// <inheritdoc/>
    public Task PauseAsync() => CallAsync(Operation.Pause);

    /// <inheritdoc/>
    public Task KillAsync() => Resume(Operation.Kill);

    /// <inheritdoc/>
    public Task DetachAsync(bool keepStopped = false) => Resume(Operation.Detach, w => w.Bool(keepStopped));

    /// <inheritdoc/>
    public Task InsertBreakpointAsync(ulong address, BreakpointDecision? decide = null) =>
        BreakpointInsertion.ThrowIfFailed(InsertBreakpointsAsync([new BreakpointInsertion(address, decide)]));

    /// <inheritdoc/>
    public Task RemoveBreakpointAsync(ulong address, BreakpointDecision? decide = null) =>
        BreakpointInsertion.ThrowIfFailed(RemoveBreakpointsAsync([new BreakpointInsertion(address, decide)]));

    /// <inheritdoc/>
    /// <remarks>One request to the guardian; each decision is known there by a number and runs here when it asks.</remarks>
    public async Task<IReadOnlyList<TargetException?>> InsertBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions)
    {
        var numbers = new int[insertions.Count];
        lock (decisionsGate)
        {
            for (var i = 0; i < insertions.Count; i++)
            {
                if (insertions[i].Decide is not { } decide) continue;
                numbers[i] = ++nextDecision;
                decisions[numbers[i]] = decide;
            }
        }
        IReadOnlyList<TargetException?> failures;
        try
        {
            failures = Outcomes(await CallAsync(Operation.InsertBreakpoints, w => WriteInsertions(w, insertions, numbers)).ConfigureAwait(false), insertions.Count);
        }
        catch
        {
            lock (decisionsGate)
                foreach (var n in numbers) decisions.Remove(n);
            throw;
        }
        lock (decisionsGate)
        {
            for (var i = 0; i < insertions.Count; i++)
            {
                if (numbers[i] == 0) continue;
                if (failures[i] is not null)
                {
                    decisions.Remove(numbers[i]);
                    continue;
                }
                var key = (insertions[i].Address, insertions[i].Decide!);
                if (!decisionIds.TryGetValue(key, out var ids)) decisionIds[key] = ids = [];
                ids.Add(numbers[i]);
            }
        }
        return failures;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TargetException?>> RemoveBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions)
    {
        var failures = new TargetException?[insertions.Count];
        var numbers = new int[insertions.Count];
        var sent = new List<int>(insertions.Count);
        lock (decisionsGate)
        {
            for (var i = 0; i < insertions.Count; i++)
            {
                var (address, decide) = insertions[i];
                if (decide is not null)
                {
                    if (!decisionIds.TryGetValue((address, decide), out var ids) || ids.Count == 0)
                    {
                        failures[i] = new TraceException($"there is no breakpoint at 0x{address:x} to remove");
                        continue;
                    }
                    numbers[i] = ids[^1];
                    ids.RemoveAt(ids.Count - 1);
                    if (ids.Count == 0) decisionIds.Remove((address, decide));
                }
                sent.Add(i);
            }
        }
        if (sent.Count == 0) return failures;
        var asked = sent.Select(i => insertions[i]).ToList();
        var outcomes = Outcomes(await CallAsync(Operation.RemoveBreakpoints, w => WriteInsertions(w, asked, [.. sent.Select(i => numbers[i])])).ConfigureAwait(false), sent.Count);
        lock (decisionsGate)
        {
            for (var k = 0; k < sent.Count; k++)
            {
                failures[sent[k]] = outcomes[k];
                if (outcomes[k] is null && numbers[sent[k]] != 0) decisions.Remove(numbers[sent[k]]);
            }
        }
        return failures;
    }

    private static void WriteInsertions(WireWriter w, IReadOnlyList<BreakpointInsertion> insertions, int[] numbers)
    {
        w.I32(insertions.Count);
        for (var i = 0; i < insertions.Count; i++) w.U64(insertions[i].Address).I32(numbers[i]);
    }

    /// <summary>The outcome of each item of a batch reply: null for success, else its failure.</summary>
    private static TargetException?[] Outcomes(byte[] result, int count)
    {
        var r = new WireReader(result);
        var failures = new TargetException?[count];
        for (var i = 0; i < count; i++)
        {
            if (r.Bool()) continue;
            var failure = Failures.Read(ref r);
            failures[i] = failure as TargetException ?? new TraceException(failure.Message, failure);
        }
        return failures;
    }

    /// <inheritdoc/>
    public async Task<DebugRegisterSlot> SetWatchpointAsync(ulong address, int size, WatchKind kind)
    {
        var result = await CallAsync(Operation.SetWatchpoint, w => w.U64(address).I32(size).U8((int)kind)).ConfigureAwait(false);
        var r = new WireReader(result);
        return new DebugRegisterSlot(r.I32(), r.U64(), r.I32(), (WatchKind)r.U8());
    }

    /// <inheritdoc/>
    public Task ClearWatchpointAsync(int slot) => CallAsync(Operation.ClearWatchpoint, w => w.I32(slot));

    /// <inheritdoc/>
    public Task SetForkOptionsAsync(ForkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CallAsync(Operation.SetForkOptions, w => w.U8((int)options.Follow).Bool(options.KeepOther));
    }

    /// <summary>What the guardian does with the process if this debugger goes away without letting it go: detach (the
    /// default for an attached process) or end it (the default for a launched program).</summary>
    public Task SetLossPolicyAsync(LossPolicy policy) => CallAsync(Operation.SetLossPolicy, w => w.U8((int)policy));

    /// <summary>Ends a launched program or detaches from an attached process (as <see cref="TraceeProcess"/> does when
    /// disposed), then closes the guardian, which exits.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!ended)
        {
            try
            {
                await CallAsync(Operation.Release).ConfigureAwait(false);
            }
            catch (TargetException)
            {
                // The process or the guardian vanished; the guardian lets whatever is left go when the socket closes.
            }
        }
        ended = true;
        if (ownsConnection) connection.Dispose();
        memory.Dispose();
        events.Writer.TryComplete();
    }

    /// <summary>An event of the process, on the reading thread: the mirrors of threads and modules are brought up to date
    /// before the engine sees it.</summary>
    internal void Receive(TargetEvent e, ProcessSnapshot? snapshot)
    {
        if (snapshot is not null)
        {
            threadIds = snapshot.ThreadIds;
            modules = snapshot.Modules;
            stopRegisters = snapshot.Registers;
            if (snapshot.ProcessId is { } pid && pid != ProcessId)
            {
                // The target follows a fork's child now: its memory is the child's.
                var former = memory;
                memory = new ProcessMemory(pid);
                ProcessId = pid;
                former.Dispose();
                view.Invalidate();
            }
        }
        switch (e)
        {
            case ThreadCreated t when !threadIds.Contains(t.ThreadId):
                threadIds = [.. threadIds.Append(t.ThreadId).Order()];
                break;
            case ThreadExited t:
                threadIds = [.. threadIds.Where(x => x != t.ThreadId)];
                break;
            case ModuleLoaded m when !modules.Any(x => x.Path == m.Path && x.LoadBias == m.LoadBias):
                modules = [.. modules, new LoadedModule(m.Path, m.LoadBias, 0)];
                break;
            case ModuleUnloaded m:
                modules = [.. modules.Where(x => !(x.Path == m.Path && x.LoadBias == m.LoadBias))];
                break;
            case ProcessExecuted:
                // The mem file belongs to the old address space.
                memory.Reopen();
                break;
        }
        var last = e is ProcessExited or ProcessKilled or ProcessDetached;
        if (last) ended = true;
        events.Writer.TryWrite(e);
        if (last) events.Writer.TryComplete();
    }

    /// <summary>The guardian is gone (killed, or it failed): the process is no longer under this debugger.</summary>
    internal void ConnectionLost()
    {
        if (ended) return;
        ended = true;
        events.Writer.TryWrite(new TargetConnectionLost(
            $"the guardian process that traced process {ProcessId} ended, so the debugger lost the process: a launched program ends with it, an attached one is let go as it was, breakpoints included"));
        events.Writer.TryComplete();
    }

    /// <summary>A breakpoint site added, its byte changed (the byte), or removed (-1).</summary>
    internal void SiteChanged(ulong address, int original)
    {
        lock (sitesGate)
        {
            if (original < 0) sites.Remove(address);
            else sites[address] = (byte)original;
        }
    }

    /// <summary>Runs the decision the guardian asks about; a decision that fails reports the hit, as the tracer does.</summary>
    internal bool Decide(int decision, int threadId, ulong address, GeneralRegisters registers)
    {
        BreakpointDecision? decide;
        lock (decisionsGate) decide = decisions.GetValueOrDefault(decision);
        if (decide is null) return false;
        try
        {
            return decide(new BreakpointHit(threadId, address, registers, view));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return true;
        }
    }

    private Task<byte[]> CallAsync(Operation op, Action<WireWriter>? arguments = null) => connection.RequestAsync(id, op, arguments);

    private int Read(ulong address, Span<byte> buffer)
    {
        if (ended) return 0;
        var n = Math.Max(0, memory.Read(address, buffer));
        if (n == 0) return 0;
        lock (sitesGate)
        {
            foreach (var (site, original) in sites)
                if (site >= address && site - address < (ulong)n)
                    buffer[(int)(site - address)] = original;
        }
        return n;
    }

    private void Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (connection.OnDecisionThread)
            throw new TargetMemoryException("memory cannot be written from inside a breakpoint decision");
        var copy = data.ToArray();
        try
        {
            CallAsync(Operation.WriteMemory, w => w.U64(address).Bytes(copy)).GetAwaiter().GetResult();
        }
        catch (TargetException e) when (e is not TargetMemoryException)
        {
            throw new TargetMemoryException($"cannot write {copy.Length} bytes at 0x{address:x}: {e.Message}");
        }
        finally
        {
            view.Invalidate();
        }
    }

    /// <summary>The process's memory as the program sees it, with a version that changes with every write through it.</summary>
    private sealed class GuardedMemory(GuardedTarget target) : ITargetMemory
    {
        private long version;

        public long Version => Interlocked.Read(ref version);

        public void Invalidate() => Interlocked.Increment(ref version);

        public int Read(ulong address, Span<byte> buffer) => target.Read(address, buffer);

        public void Write(ulong address, ReadOnlySpan<byte> data) => target.Write(address, data);
    }
}
