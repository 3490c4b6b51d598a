using System.Threading.Channels;
using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Files;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Remote.Client;

/// <summary>A process debugged through the remote agent. Each stop arrives with every thread's registers, the modules
/// and the pages a diagnosis reads first, so the questions of a stop are answered here; memory is fetched by pages in
/// batched calls and cached until the process runs again; module files come from this machine when a local file has
/// the same build-id, else from the agent by byte ranges into the build-id cache. Breakpoint decisions run here when the
/// stop arrives; a hit no insertion wants is resumed without being reported.</summary>
internal sealed class RemoteTarget : ITarget
{
    private readonly AgentConnection connection;
    private readonly ModuleFileCache files;
    private readonly RemoteMemory memory;
    private readonly Channel<TargetEvent> events = Channel.CreateUnbounded<TargetEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly object gate = new();
    private readonly Dictionary<int, GeneralRegisters> registers = [];
    private readonly Dictionary<int, string?> threadNames = [];
    private readonly SortedSet<int> threads = [];
    private readonly Dictionary<string, string?> localFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, BreakpointInsertions> breakpoints = [];
    private readonly CancellationTokenSource closing = new();
    private readonly Task pump;
    private readonly OutputPipe? stdout;
    private readonly OutputPipe? stderr;
    private IReadOnlyList<LoadedModule> modules = [];
    private string? executablePath;
    private volatile bool ended;
    private int disposed;

    public RemoteTarget(AgentConnection connection, ModuleFileCache files, WireTargetInfo info, LaunchOptions? launch)
    {
        this.connection = connection;
        this.files = files;
        memory = new RemoteMemory(connection);
        ProcessId = info.ProcessId;
        executablePath = info.ExecutablePath;
        threads.Add(info.ProcessId);
        if (launch?.StandardOutput == StdioMode.Pipe)
            stdout = new OutputPipe();
        if (launch?.StandardError == StdioMode.Pipe)
            stderr = new OutputPipe();
        if (launch?.StandardInput == StdioMode.Pipe)
            StandardInput = new InputStream(this);
        pump = Task.Run(PumpAsync);
    }

    /// <inheritdoc/>
    public int ProcessId { get; }

    /// <inheritdoc/>
    public string? ExecutablePath
    {
        get
        {
            lock (gate) return executablePath;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> ThreadIds
    {
        get
        {
            lock (gate) return [.. threads];
        }
    }

    /// <inheritdoc/>
    public string? ThreadName(int threadId)
    {
        lock (gate) return threadNames.GetValueOrDefault(threadId);
    }

    /// <inheritdoc/>
    public bool HasEnded => ended;

    /// <inheritdoc/>
    public ChannelReader<TargetEvent> Events => events.Reader;

    /// <inheritdoc/>
    public ITargetMemory Memory => memory;

    /// <summary>How many memory calls the agent has answered (what the stops cost).</summary>
    public long MemoryFetches => memory.Fetches;

    /// <inheritdoc/>
    public IReadOnlyList<LoadedModule> Modules
    {
        get
        {
            lock (gate) return modules;
        }
    }

    /// <inheritdoc/>
    public Stream? StandardInput { get; }

    /// <inheritdoc/>
    public Stream? StandardOutput => stdout;

    /// <inheritdoc/>
    public Stream? StandardError => stderr;

    private async Task PumpAsync()
    {
        long after = 0;
        try
        {
            while (!ended)
            {
                var batch = await connection.Guard(() => connection.Agent.NextEventsAsync(after, closing.Token)).ConfigureAwait(false);
                foreach (var e in batch.OrderBy(e => e.Sequence))
                {
                    if (e.Sequence <= after)
                        continue;
                    after = e.Sequence;
                    if (Apply(e) is { } targetEvent)
                    {
                        if (targetEvent is ProcessStopped { Reason: StopReason.Breakpoint } hit && !Wanted(hit))
                        {
                            await ResumeUnreportedAsync().ConfigureAwait(false);
                            continue;
                        }
                        if (IsLast(targetEvent))
                            ended = true;
                        events.Writer.TryWrite(targetEvent);
                    }
                }
            }
        }
        catch (TargetException e) when (!closing.IsCancellationRequested)
        {
            if (!ended)
            {
                ended = true;
                // One sentence: why the connection went, and that the session of the process is over (an agent that still
                // runs lets the process go as its connection ends; a killed one was detached by the kernel).
                events.Writer.TryWrite(new TargetConnectionLost($"{e.Message.TrimEnd('.')}; the session of process {ProcessId} has ended."));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or TargetException)
        {
        }
        finally
        {
            stdout?.Complete();
            stderr?.Complete();
            events.Writer.TryComplete();
        }
    }

    // Every decision sees the hit; it is reported when a plain insertion holds the address or a decision wants it.
    private bool Wanted(ProcessStopped hit)
    {
        BreakpointDecision[] decisions;
        GeneralRegisters regs;
        lock (gate)
        {
            if (!breakpoints.TryGetValue(hit.Address, out var site) || site.Plain > 0 || site.Decisions.Count == 0)
                return true;
            if (!registers.TryGetValue(hit.ThreadId, out regs))
                return true;
            decisions = [.. site.Decisions];
        }
        var seen = new BreakpointHit(hit.ThreadId, hit.Address, regs, memory);
        bool report = false;
        foreach (var decide in decisions)
        {
            try
            {
                report |= decide(seen);
            }
            catch (Exception)
            {
                // A decision that fails stops the program rather than hiding the hit.
                report = true;
            }
        }
        return report;
    }

    private Task ResumeUnreportedAsync()
    {
        Resumed();
        return connection.Guard(() => connection.Agent.ContinueAsync(true, closing.Token));
    }

    private static bool IsLast(TargetEvent e) => e is ProcessExited or ProcessKilled or ProcessDetached or TargetConnectionLost;

    private TargetEvent? Apply(WireEvent e)
    {
        switch (e.Kind)
        {
            case "stopped":
                if (e.State is { } state)
                    TakeStop(state);
                return new ProcessStopped(e.ThreadId, (StopReason)e.Reason, WireConversions.FromWire(e.Signal), e.Address,
                    e.WatchSlot is [var slot, var kind] ? new WatchpointHit(slot, e.WatchAddress, (WatchKind)kind) : null, e.PendingStops)
                {
                    InstructionsStepped = e.InstructionsStepped,
                };
            case "threadCreated":
                lock (gate) threads.Add(e.ThreadId);
                return new ThreadCreated(e.ThreadId, e.OtherThreadId);
            case "threadExited":
                lock (gate)
                {
                    threads.Remove(e.ThreadId);
                    registers.Remove(e.ThreadId);
                }
                return new ThreadExited(e.ThreadId, e.Code);
            case "exec":
                lock (gate)
                {
                    executablePath = e.Path;
                    localFiles.Clear();
                }
                return new ProcessExecuted(e.Path ?? "", e.OtherThreadId);
            case "childDetached":
                return new ChildDetached(e.Code);
            case "exited":
                return new ProcessExited(e.Code);
            case "killed":
                return new ProcessKilled(e.Code, e.CoreDumped, WireConversions.FromWire(e.Signal));
            case "detached":
                return new ProcessDetached();
            case "moduleLoaded":
                return new ModuleLoaded(e.Path ?? "", e.Address);
            case "moduleUnloaded":
                return new ModuleUnloaded(e.Path ?? "", e.Address);
            case "output":
                (e.Path == "stderr" ? stderr : stdout)?.Write(e.Data ?? []);
                return null;
            case "outputEnded":
                (e.Path == "stderr" ? stderr : stdout)?.Complete();
                return null;
            default:
                return null;
        }
    }

    private void TakeStop(WireStopState state)
    {
        memory.Invalidate();
        memory.Prefill(state.Memory ?? []);
        lock (gate)
        {
            registers.Clear();
            threads.Clear();
            threadNames.Clear();
            foreach (var t in state.Threads ?? [])
            {
                threads.Add(t.ThreadId);
                threadNames[t.ThreadId] = t.Name;
                if (t.Registers is { Length: WireConversions.GeneralRegisterWords } words)
                    registers[t.ThreadId] = WireConversions.ToGeneralRegisters(words);
            }
            modules = [.. (state.Modules ?? []).Select(m => new LoadedModule(m.Path, m.LoadBias, m.DynamicAddress))];
            if (state.ExecutablePath is { } path)
                executablePath = path;
        }
    }

    /// <summary>The process runs (or may change): nothing read at the last stop holds any more.</summary>
    private void Resumed()
    {
        memory.Invalidate();
        lock (gate) registers.Clear();
    }

    /// <inheritdoc/>
    public TargetFile? OpenFile(string path)
    {
        string? local;
        lock (gate)
        {
            if (!localFiles.TryGetValue(path, out local))
                local = null;
            else if (local is null)
                return null;
        }
        local ??= connection.GuardSync(() => FindOrFetchAsync(path));
        lock (gate) localFiles[path] = local;
        return local is null ? null : TargetFile.Local(path, local);
    }

    private async Task<string?> FindOrFetchAsync(string path)
    {
        var description = await connection.Guard(() => connection.Agent.DescribeFileAsync(path, closing.Token)).ConfigureAwait(false);
        if (description is null)
            return null;
        if (files.FindLocal(path, description) is { } same)
            return same;
        var entry = files.EntryPath(path, description);
        if (File.Exists(entry) && new FileInfo(entry).Length == description.Length)
            return entry;
        await ModuleFileCache.FetchAsync(entry, description.Length,
            (offset, count) => connection.Guard(() => connection.Agent.ReadFileAsync(path, offset, count, closing.Token))).ConfigureAwait(false);
        return entry;
    }

    /// <inheritdoc/>
    public async Task<AuxVector> GetAuxiliaryVectorAsync()
    {
        var pairs = await connection.Guard(() => connection.Agent.GetAuxiliaryVectorAsync(closing.Token)).ConfigureAwait(false);
        var raw = new byte[(pairs.Length / 2 + 1) * 16];
        for (int i = 0; i + 1 < pairs.Length; i += 2)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(i * 8), pairs[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(i * 8 + 8), pairs[i + 1]);
        }
        return AuxVector.Parse(raw);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync()
    {
        var regions = await connection.Guard(() => connection.Agent.GetMemoryRegionsAsync(closing.Token)).ConfigureAwait(false);
        return [.. regions.Select(WireConversions.FromWire).OfType<MemoryRegion>()];
    }

    /// <inheritdoc/>
    public async Task<SignalDispositions> GetSignalDispositionsAsync(int threadId)
    {
        var masks = await connection.Guard(() => connection.Agent.GetSignalDispositionsAsync(threadId, closing.Token)).ConfigureAwait(false);
        return masks is [var caught, var ignored, var blocked] ? new SignalDispositions(caught, ignored, blocked) : SignalDispositions.Unknown;
    }

    /// <inheritdoc/>
    public async Task<GeneralRegisters> GetRegistersAsync(int threadId)
    {
        lock (gate)
        {
            if (registers.TryGetValue(threadId, out var cached))
                return cached;
        }
        var words = await connection.Guard(() => connection.Agent.GetRegistersAsync(threadId, closing.Token)).ConfigureAwait(false);
        return WireConversions.ToGeneralRegisters(words);
    }

    /// <inheritdoc/>
    public async Task SetRegistersAsync(int threadId, GeneralRegisters value)
    {
        lock (gate) registers.Remove(threadId);
        await connection.Guard(() => connection.Agent.SetRegistersAsync(threadId, WireConversions.ToWords(value), closing.Token)).ConfigureAwait(false);
        lock (gate) registers[threadId] = value;
    }

    /// <inheritdoc/>
    public async Task<FloatingPointRegisters> GetFloatingPointRegistersAsync(int threadId) =>
        WireConversions.ToFloatingPointRegisters(await connection.Guard(() => connection.Agent.GetFloatingPointRegistersAsync(threadId, closing.Token)).ConfigureAwait(false));

    /// <inheritdoc/>
    public Task SetFloatingPointRegistersAsync(int threadId, FloatingPointRegisters value) =>
        connection.Guard(() => connection.Agent.SetFloatingPointRegistersAsync(threadId, WireConversions.ToBytes(value), closing.Token));

    /// <inheritdoc/>
    public Task<ulong[]> GetDebugRegistersAsync(int threadId) =>
        connection.Guard(() => connection.Agent.GetDebugRegistersAsync(threadId, closing.Token));

    /// <inheritdoc/>
    public Task ContinueAsync(bool deliverSignals = true)
    {
        Resumed();
        return RunControlAsync(() => connection.Agent.ContinueAsync(deliverSignals, closing.Token));
    }

    /// <inheritdoc/>
    public Task StepInstructionAsync(int threadId)
    {
        Resumed();
        return RunControlAsync(() => connection.Agent.StepInstructionAsync(threadId, closing.Token));
    }

    /// <inheritdoc/>
    /// <remarks>The agent steps the range on its host, so a line costs one round trip, not one per instruction.</remarks>
    public Task StepInRangeAsync(int threadId, ulong start, ulong end)
    {
        Resumed();
        return RunControlAsync(() => connection.Agent.StepInRangeAsync(threadId, start, end, closing.Token));
    }

    /// <inheritdoc/>
    public Task RunThreadAsync(int threadId)
    {
        Resumed();
        return RunControlAsync(() => connection.Agent.RunThreadAsync(threadId, closing.Token));
    }

    /// <inheritdoc/>
    public async Task<SavedThreadState> SaveThreadAsync(int threadId)
    {
        var saved = await connection.Guard(() => connection.Agent.SaveThreadAsync(threadId, closing.Token)).ConfigureAwait(false);
        if (saved.Registers is not { Length: WireConversions.GeneralRegisterWords } words)
            throw new TargetException($"The agent sent a saved state of thread {threadId} without its {WireConversions.GeneralRegisterWords} registers.");
        return new SavedThreadState(WireConversions.ToGeneralRegisters(words), saved.ExtendedState ?? [], saved.ResumeSignal);
    }

    /// <inheritdoc/>
    public async Task RestoreThreadAsync(int threadId, SavedThreadState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (gate) registers.Remove(threadId);
        await connection.Guard(() => connection.Agent.RestoreThreadAsync(threadId,
            new WireSavedThread { Registers = WireConversions.ToWords(state.Registers), ExtendedState = state.ExtendedState, ResumeSignal = state.ResumeSignal },
            closing.Token)).ConfigureAwait(false);
        lock (gate) registers[threadId] = state.Registers;
    }

    /// <inheritdoc/>
    public Task PauseAsync() => RunControlAsync(() => connection.Agent.PauseAsync(closing.Token));

    /// <inheritdoc/>
    /// <remarks>With the connection gone there is nothing left to kill from here: the agent, if it still runs, has
    /// killed the program it launched, and the end is the <see cref="TargetConnectionLost"/> event.</remarks>
    public async Task KillAsync()
    {
        Resumed();
        await RunControlAsync(() => connection.Agent.KillAsync(closing.Token)).ConfigureAwait(false);
        await WaitForEndAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DetachAsync(bool keepStopped = false)
    {
        Resumed();
        await RunControlAsync(() => connection.Agent.DetachAsync(keepStopped, closing.Token)).ConfigureAwait(false);
        await WaitForEndAsync().ConfigureAwait(false);
    }

    // A run-control call that finds the connection gone is not a failure of that call: the event pump reports the loss
    // as the target's last event, which ends the session with its one sentence, as a process that dies while it runs.
    private async Task RunControlAsync(Func<Task> call)
    {
        try
        {
            await connection.Guard(call).ConfigureAwait(false);
        }
        catch (TargetException) when (connection.IsLost)
        {
        }
    }

    // The end event travels after the answer; wait for the pump to have seen it (or for the connection to go).
    private async Task WaitForEndAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!ended && !pump.IsCompleted && !limit.IsCancellationRequested)
            await Task.WhenAny(pump, Task.Delay(5, CancellationToken.None)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task InsertBreakpointAsync(ulong address, BreakpointDecision? decide = null) =>
        BreakpointInsertion.ThrowIfFailed(InsertBreakpointsAsync([new BreakpointInsertion(address, decide)]));

    /// <inheritdoc/>
    public Task RemoveBreakpointAsync(ulong address, BreakpointDecision? decide = null) =>
        BreakpointInsertion.ThrowIfFailed(RemoveBreakpointsAsync([new BreakpointInsertion(address, decide)]));

    /// <inheritdoc/>
    /// <remarks>One call to the agent, which holds one insertion per address given; the decisions stay here and run when a
    /// hit arrives.</remarks>
    public async Task<IReadOnlyList<TargetException?>> InsertBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions)
    {
        var outcomes = await connection.Guard(() => connection.Agent.InsertBreakpointsAsync([.. insertions.Select(i => i.Address)], closing.Token)).ConfigureAwait(false);
        var failures = new TargetException?[insertions.Count];
        lock (gate)
        {
            for (var i = 0; i < insertions.Count; i++)
            {
                if (i >= outcomes.Length || outcomes[i] is not null)
                {
                    failures[i] = new TargetException(i < outcomes.Length ? outcomes[i]! : "the agent did not say whether the breakpoint went in");
                    continue;
                }
                var (address, decide) = insertions[i];
                if (!breakpoints.TryGetValue(address, out var site))
                    breakpoints[address] = site = new BreakpointInsertions();
                if (decide is null) site.Plain++;
                else site.Decisions.Add(decide);
            }
        }
        return failures;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TargetException?>> RemoveBreakpointsAsync(IReadOnlyList<BreakpointInsertion> insertions)
    {
        var failures = new TargetException?[insertions.Count];
        var sent = new List<int>(insertions.Count);
        lock (gate)
        {
            for (var i = 0; i < insertions.Count; i++)
            {
                var (address, decide) = insertions[i];
                if (!breakpoints.TryGetValue(address, out var site) || (decide is null ? site.Plain == 0 : !site.Decisions.Remove(decide)))
                {
                    failures[i] = new TargetException($"there is no breakpoint at 0x{address:x} to remove");
                    continue;
                }
                if (decide is null) site.Plain--;
                if (site.Plain == 0 && site.Decisions.Count == 0)
                    breakpoints.Remove(address);
                sent.Add(i);
            }
        }
        if (sent.Count == 0) return failures;
        var outcomes = await connection.Guard(() => connection.Agent.RemoveBreakpointsAsync([.. sent.Select(i => insertions[i].Address)], closing.Token)).ConfigureAwait(false);
        for (var k = 0; k < sent.Count && k < outcomes.Length; k++)
        {
            if (outcomes[k] is { } message) failures[sent[k]] = new TargetException(message);
        }
        return failures;
    }

    /// <summary>The insertions at one address: plain ones, and ones whose decision says whether a hit is reported.</summary>
    private sealed class BreakpointInsertions
    {
        public int Plain { get; set; }

        public List<BreakpointDecision> Decisions { get; } = [];
    }

    /// <inheritdoc/>
    public async Task<DebugRegisterSlot> SetWatchpointAsync(ulong address, int size, WatchKind kind)
    {
        int slot = await connection.Guard(() => connection.Agent.SetWatchpointAsync(address, size, (int)kind, closing.Token)).ConfigureAwait(false);
        return new DebugRegisterSlot(slot, address, size, kind);
    }

    /// <inheritdoc/>
    public Task ClearWatchpointAsync(int slot) => connection.Guard(() => connection.Agent.ClearWatchpointAsync(slot, closing.Token));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        closing.Cancel();
        // Closing the connection makes the agent let the process go (detach an attached one, kill a launched one).
        await connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TargetException)
        {
        }
        closing.Dispose();
    }

    private Task WriteInputAsync(byte[] data) => connection.Guard(() => connection.Agent.WriteStandardInputAsync(data, closing.Token));

    /// <summary>The program's stdin on the agent's side: each write is one call.</summary>
    private sealed class InputStream(RemoteTarget owner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            count == 0 ? Task.CompletedTask : owner.WriteInputAsync(buffer.AsSpan(offset, count).ToArray());

        protected override void Dispose(bool disposing)
        {
            if (disposing && !owner.ended)
            {
                try
                {
                    owner.WriteInputAsync([]).GetAwaiter().GetResult();
                }
                catch (TargetException)
                {
                }
            }
            base.Dispose(disposing);
        }
    }
}
