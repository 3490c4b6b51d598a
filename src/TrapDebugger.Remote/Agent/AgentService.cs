using System.Runtime.InteropServices;
using TrapDebugger.Elf;
using TrapDebugger.Native.Proc;
using TrapDebugger.Remote.Contract;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Remote.Agent;

/// <summary>The agent's side of one connection: the live target surface of this host, for one client and at most one
/// debugged process at a time.</summary>
/// <remarks>When the connection ends for any reason, <see cref="EndAsync"/> lets the process go: an attached process is
/// detached (every patched byte and debug register restored, no thread left stopped), a launched one is killed.</remarks>
internal sealed class AgentService(AgentOptions options) : IRemoteAgent
{
    // Bounds on what one request may ask for, so a hostile client cannot make the agent allocate without limit.
    private const int MaxRangesPerRead = 4096;
    private const int MaxRangeBytes = 1 << 20;
    private const int MaxReadBytes = 8 << 20;
    private const int MaxFileChunk = 4 << 20;
    private const int PageSize = 4096;

    private static readonly TimeSpan OutputDrainBound = TimeSpan.FromSeconds(1);
    private readonly List<Task> forwarders = [];

    // Process waits begun and not yet collected; a client cannot pile them up without bound.
    private const int MaxWaits = 8;

    private readonly object gate = new();
    private readonly Dictionary<int, (Task<int> Caught, CancellationTokenSource Stop)> waits = [];
    private int lastWait;

    /// <summary>Raised when a client is refused; the host then closes the connection once the answer is out.</summary>
    public event Action? Refused;

    private readonly List<WireEvent> events = [];
    private readonly Dictionary<string, string> describedFiles = new(StringComparer.Ordinal);
    private TaskCompletionSource eventArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource ending = new();
    private long sequence;
    private bool authenticated = options.Token is null;
    private ITarget? target;
    private bool launched;
    private bool targetEnded;
    private Task? pump;

    /// <inheritdoc/>
    public Task<AgentGreeting> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (options.Token is { } expected)
        {
            var matches = options.TokenMatches ?? ((a, b) => string.Equals(a, b, StringComparison.Ordinal));
            if (!matches(token, expected))
            {
                options.Log?.WriteLine("trapdbg agent: refused a client with a wrong token.");
                Refused?.Invoke();
                throw new AgentRefusedException("The agent refused the connection: the token is wrong.");
            }
        }
        if (options.Admit?.Invoke() is { } refusal)
        {
            options.Log?.WriteLine($"trapdbg agent: refused a client: {refusal}");
            Refused?.Invoke();
            throw new AgentRefusedException(refusal);
        }
        authenticated = true;
        return Task.FromResult(Greeting());
    }

    /// <inheritdoc/>
    public Task<AgentGreeting> GreetAsync(CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Task.FromResult(Greeting());
    }

    private static AgentGreeting Greeting() => new()
    {
        Protocol = RpcConnection.ProtocolVersion,
        Host = Environment.MachineName,
        ProcessId = Environment.ProcessId,
    };

    private void RequireAuthenticated()
    {
        if (!Volatile.Read(ref authenticated))
            throw new AgentRefusedException("The agent needs the token first: call AuthenticateAsync.");
    }

    /// <inheritdoc/>
    public async Task<WireProcess[]> ListProcessesAsync(CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var list = await options.Platform.ListProcessesAsync(cancellationToken).ConfigureAwait(false);
        return [.. list.Select(ToWire)];
    }

    /// <inheritdoc/>
    public async Task<WireProcess?> FindProcessAsync(int processId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return await options.Platform.FindProcessAsync(processId, cancellationToken).ConfigureAwait(false) is { } p ? ToWire(p) : null;
    }

    private static WireProcess ToWire(ProcessInfo p) => new()
    {
        ProcessId = p.ProcessId,
        ExecutablePath = p.ExecutablePath,
        NamespaceProcessId = p.NamespaceProcessId,
        CommandLine = string.Join(' ', ProcFs.CommandLine(p.ProcessId)),
    };

    /// <inheritdoc/>
    public async Task<int> BeginWaitForProcessAsync(string program, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        if (string.IsNullOrWhiteSpace(program))
            throw new TargetException("waitFor needs the name or path of a program.");
        var begun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ending.Token);
        var caught = options.Platform.WaitForProcessAsync(program, () => begun.TrySetResult(), stop.Token);
        int id;
        lock (gate)
        {
            if (waits.Count >= MaxWaits)
            {
                stop.Cancel();
                stop.Dispose();
                throw new TargetException($"this connection already waits for {MaxWaits} programs.");
            }
            id = ++lastWait;
            waits[id] = (caught, stop);
        }
        await Task.WhenAny(begun.Task, caught).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (caught.IsFaulted)
            await caught.ConfigureAwait(false);
        return id;
    }

    /// <inheritdoc/>
    public async Task<int> WaitForProcessAsync(int wait, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        (Task<int> Caught, CancellationTokenSource Stop) entry;
        lock (gate)
        {
            if (!waits.Remove(wait, out entry))
                throw new TargetException($"there is no process wait {wait} on this connection.");
        }
        try
        {
            using (cancellationToken.Register(entry.Stop.Cancel))
                return await entry.Caught.ConfigureAwait(false);
        }
        finally
        {
            entry.Stop.Dispose();
        }
    }

    /// <inheritdoc/>
    public async Task<WireTargetInfo> LaunchAsync(WireLaunch launch, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        ArgumentNullException.ThrowIfNull(launch);
        if (string.IsNullOrWhiteSpace(launch.Program))
            throw new TargetException("launch needs a program.");
        ReserveTarget();
        try
        {
            var stdio = launch.Stdio is { Length: 3 } s ? s : [2, 1, 1];
            var started = await options.Platform.LaunchAsync(new LaunchOptions
            {
                Program = launch.Program,
                Arguments = launch.Arguments ?? [],
                Environment = WithAgentEnvironment(launch.Environment),
                WorkingDirectory = launch.WorkingDirectory,
                // The agent's own stdin and stdout may carry the protocol: a program never inherits them.
                StandardInput = stdio[0] == 1 ? StdioMode.Pipe : StdioMode.Null,
                StandardOutput = stdio[1] == 1 ? StdioMode.Pipe : StdioMode.Null,
                StandardError = stdio[2] == 1 ? StdioMode.Pipe : StdioMode.Null,
                DisableAslr = launch.DisableAslr,
            }, cancellationToken).ConfigureAwait(false);
            return Adopt(started, launchedHere: true);
        }
        catch
        {
            ReleaseTarget();
            throw;
        }
    }

    // The client names only what it changes: a program on this host starts from this host's environment.
    private static Dictionary<string, string>? WithAgentEnvironment(Dictionary<string, string>? changes)
    {
        if (changes is null || changes.Count == 0)
            return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        foreach (var (name, value) in changes)
            result[name] = value;
        return result;
    }

    /// <inheritdoc/>
    public async Task<WireTargetInfo> AttachAsync(int processId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        ReserveTarget();
        try
        {
            var attached = await options.Platform.AttachAsync(processId, cancellationToken).ConfigureAwait(false);
            return Adopt(attached, launchedHere: false);
        }
        catch
        {
            ReleaseTarget();
            throw;
        }
    }

    private bool reserved;

    private void ReserveTarget()
    {
        lock (gate)
        {
            if (reserved)
                throw new TargetException("this agent connection already debugs a process; open another connection for another one.");
            reserved = true;
        }
    }

    private void ReleaseTarget()
    {
        lock (gate) reserved = false;
    }

    private WireTargetInfo Adopt(ITarget started, bool launchedHere)
    {
        lock (gate)
        {
            target = started;
            launched = launchedHere;
        }
        options.Log?.WriteLine($"trapdbg agent: {(launchedHere ? "launched" : "attached to")} process {started.ProcessId}.");
        if (started.StandardOutput is { } stdout)
            forwarders.Add(Task.Run(() => ForwardOutputAsync(stdout, "stdout")));
        if (started.StandardError is { } stderr)
            forwarders.Add(Task.Run(() => ForwardOutputAsync(stderr, "stderr")));
        pump = Task.Run(() => PumpAsync(started));
        return new WireTargetInfo { ProcessId = started.ProcessId, ExecutablePath = started.ExecutablePath };
    }

    private ITarget Target => Volatile.Read(ref target) ?? throw new TargetException("no process is being debugged on this agent connection.");

    private async Task PumpAsync(ITarget t)
    {
        try
        {
            await foreach (var e in t.Events.ReadAllAsync(ending.Token).ConfigureAwait(false))
            {
                var wire = await ToWireAsync(t, e).ConfigureAwait(false);
                if (e is ProcessExited or ProcessKilled)
                {
                    // The program's last output goes before its end: its pipes reach their end with it (a child that
                    // inherited them may hold them open, hence the bound).
                    await Task.WhenAny(Task.WhenAll(forwarders), Task.Delay(OutputDrainBound, ending.Token)).ConfigureAwait(false);
                }
                if (e is ProcessExited or ProcessKilled or ProcessDetached)
                    lock (gate) targetEnded = true;
                Publish(wire);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ForwardOutputAsync(Stream stream, string name)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, ending.Token).ConfigureAwait(false);
                if (n <= 0)
                    break;
                Publish(new WireEvent { Kind = "output", Path = name, Data = buffer.AsSpan(0, n).ToArray() });
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        Publish(new WireEvent { Kind = "outputEnded", Path = name });
    }

    private void Publish(WireEvent e)
    {
        TaskCompletionSource arrived;
        lock (gate)
        {
            e.Sequence = ++sequence;
            events.Add(e);
            arrived = eventArrived;
            eventArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.TrySetResult();
    }

    private static async Task<WireEvent> ToWireAsync(ITarget t, TargetEvent e)
    {
        switch (e)
        {
            case ProcessStopped s:
                return new WireEvent
                {
                    Kind = "stopped",
                    ThreadId = s.ThreadId,
                    Reason = (int)s.Reason,
                    Signal = WireConversions.ToWire(s.Signal),
                    Address = s.Address,
                    WatchSlot = s.Watchpoint is { } w ? [w.Slot, (int)w.Kind] : null,
                    WatchAddress = s.Watchpoint?.Address ?? 0,
                    PendingStops = s.PendingStops,
                    InstructionsStepped = s.InstructionsStepped,
                    State = await CaptureStopAsync(t, s.ThreadId).ConfigureAwait(false),
                };
            case ThreadCreated c:
                return new WireEvent { Kind = "threadCreated", ThreadId = c.ThreadId, OtherThreadId = c.ParentThreadId };
            case ThreadExited x:
                return new WireEvent { Kind = "threadExited", ThreadId = x.ThreadId, Code = x.ExitCode };
            case ProcessExecuted x:
                return new WireEvent { Kind = "exec", Path = x.ExecutablePath, OtherThreadId = x.FormerThreadId };
            case ChildDetached c:
                return new WireEvent { Kind = "childDetached", Code = c.ChildPid };
            case ProcessExited x:
                return new WireEvent { Kind = "exited", Code = x.ExitCode };
            case ProcessKilled k:
                return new WireEvent { Kind = "killed", Code = k.Signal, CoreDumped = k.CoreDumped, Signal = WireConversions.ToWire(k.LastSignalInfo) };
            case ProcessDetached:
                return new WireEvent { Kind = "detached" };
            case ModuleLoaded m:
                return new WireEvent { Kind = "moduleLoaded", Path = m.Path, Address = m.LoadBias };
            case ModuleUnloaded u:
                return new WireEvent { Kind = "moduleUnloaded", Path = u.Path, Address = u.LoadBias };
            default:
                return new WireEvent { Kind = "unknown" };
        }
    }

    /// <summary>Everything the first questions of a stop need: every thread's registers and name, the modules, the
    /// page of code at the stopping thread's pc and the top of its stack.</summary>
    private static async Task<WireStopState> CaptureStopAsync(ITarget t, int stoppingThread)
    {
        var threads = new List<WireThread>();
        var memory = new List<WireMemory>();
        foreach (var tid in t.ThreadIds)
        {
            ulong[]? words = null;
            try
            {
                var regs = await t.GetRegistersAsync(tid).ConfigureAwait(false);
                words = WireConversions.ToWords(regs);
                if (tid == stoppingThread)
                {
                    AddPage(t, memory, regs.Rip);
                    AddPage(t, memory, regs.Rsp);
                    AddPage(t, memory, regs.Rsp + PageSize);
                }
            }
            catch (TargetException)
            {
            }
            threads.Add(new WireThread { ThreadId = tid, Name = t.ThreadName(tid), Registers = words });
        }
        return new WireStopState
        {
            Threads = [.. threads],
            Modules = [.. t.Modules.Select(m => new WireModule { Path = m.Path, LoadBias = m.LoadBias, DynamicAddress = m.DynamicAddress })],
            Memory = [.. memory],
            ExecutablePath = t.ExecutablePath,
        };
    }

    private static void AddPage(ITarget t, List<WireMemory> memory, ulong address)
    {
        ulong page = address & ~(ulong)(PageSize - 1);
        if (memory.Any(m => m.Address == page))
            return;
        var bytes = new byte[PageSize];
        int n = t.Memory.Read(page, bytes);
        if (n > 0)
            memory.Add(new WireMemory { Address = page, Bytes = bytes.AsSpan(0, n).ToArray(), Requested = PageSize });
    }

    /// <inheritdoc/>
    public async Task<WireEvent[]> NextEventsAsync(long after, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        while (true)
        {
            Task arrived;
            lock (gate)
            {
                // The client has everything up to 'after': drop it.
                events.RemoveAll(e => e.Sequence <= after);
                if (events.Count > 0)
                    return [.. events];
                arrived = eventArrived.Task;
            }
            await arrived.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public Task<byte[][]> ReadMemoryAsync(WireRange[] ranges, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Length > MaxRangesPerRead)
            throw new TargetException($"one read may ask for at most {MaxRangesPerRead} ranges, not {ranges.Length}.");
        long total = 0;
        foreach (var r in ranges)
        {
            if (r is null || r.Length < 0 || r.Length > MaxRangeBytes)
                throw new TargetException($"a memory range must be 0 to {MaxRangeBytes} bytes long.");
            total += r.Length;
        }
        if (total > MaxReadBytes)
            throw new TargetException($"one read may ask for at most {MaxReadBytes} bytes, not {total}.");
        var memory = Target.Memory;
        var result = new byte[ranges.Length][];
        for (int i = 0; i < ranges.Length; i++)
        {
            var buffer = new byte[ranges[i].Length];
            int n = memory.Read(ranges[i].Address, buffer);
            result[i] = n == buffer.Length ? buffer : buffer.AsSpan(0, Math.Max(n, 0)).ToArray();
        }
        return Task.FromResult(result);
    }

    /// <inheritdoc/>
    public Task WriteMemoryAsync(ulong address, byte[] data, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        ArgumentNullException.ThrowIfNull(data);
        Target.Memory.Write(address, data);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<ulong[]> GetRegistersAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return WireConversions.ToWords(await Target.GetRegistersAsync(threadId).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public Task SetRegistersAsync(int threadId, ulong[] registers, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.SetRegistersAsync(threadId, WireConversions.ToGeneralRegisters(registers));
    }

    /// <inheritdoc/>
    public async Task<byte[]> GetFloatingPointRegistersAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return WireConversions.ToBytes(await Target.GetFloatingPointRegistersAsync(threadId).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public Task SetFloatingPointRegistersAsync(int threadId, byte[] registers, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.SetFloatingPointRegistersAsync(threadId, WireConversions.ToFloatingPointRegisters(registers));
    }

    /// <inheritdoc/>
    public Task<ulong[]> GetDebugRegistersAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.GetDebugRegistersAsync(threadId);
    }

    /// <inheritdoc/>
    public async Task<ulong[]> GetAuxiliaryVectorAsync(CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var aux = await Target.GetAuxiliaryVectorAsync().ConfigureAwait(false);
        return [.. aux.Entries.SelectMany(e => new[] { e.Type, e.Value })];
    }

    /// <inheritdoc/>
    public async Task<WireRegion[]> GetMemoryRegionsAsync(CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var regions = await Target.GetMemoryRegionsAsync().ConfigureAwait(false);
        return [.. regions.Select(WireConversions.ToWire)];
    }

    /// <inheritdoc/>
    public async Task<ulong[]> GetSignalDispositionsAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var d = await Target.GetSignalDispositionsAsync(threadId).ConfigureAwait(false);
        return [d.Caught, d.Ignored, d.Blocked];
    }

    /// <inheritdoc/>
    public Task ContinueAsync(bool deliverSignals, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.ContinueAsync(deliverSignals);
    }

    /// <inheritdoc/>
    public Task StepInstructionAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.StepInstructionAsync(threadId);
    }

    /// <inheritdoc/>
    public Task StepInRangeAsync(int threadId, ulong start, ulong end, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.StepInRangeAsync(threadId, start, end);
    }

    /// <inheritdoc/>
    public Task RunThreadAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.RunThreadAsync(threadId);
    }

    /// <inheritdoc/>
    public async Task<WireSavedThread> SaveThreadAsync(int threadId, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var saved = await Target.SaveThreadAsync(threadId).ConfigureAwait(false);
        return new WireSavedThread { Registers = WireConversions.ToWords(saved.Registers), ExtendedState = saved.ExtendedState, ResumeSignal = saved.ResumeSignal };
    }

    /// <inheritdoc/>
    public Task RestoreThreadAsync(int threadId, WireSavedThread state, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        ArgumentNullException.ThrowIfNull(state);
        if (state.Registers is not { Length: WireConversions.GeneralRegisterWords } words || state.ExtendedState is null)
            throw new TargetException($"A saved thread state needs {WireConversions.GeneralRegisterWords} registers and its extended state.");
        return Target.RestoreThreadAsync(threadId, new SavedThreadState(WireConversions.ToGeneralRegisters(words), state.ExtendedState, state.ResumeSignal));
    }

    /// <inheritdoc/>
    public Task PauseAsync(CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.PauseAsync();
    }

    /// <inheritdoc/>
    public Task KillAsync(CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.KillAsync();
    }

    /// <inheritdoc/>
    public Task DetachAsync(bool keepStopped, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.DetachAsync(keepStopped);
    }

    /// <inheritdoc/>
    public async Task<string?[]> InsertBreakpointsAsync(ulong[] addresses, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var failures = await Target.InsertBreakpointsAsync([.. addresses.Select(a => new BreakpointInsertion(a))]).ConfigureAwait(false);
        return [.. failures.Select(f => f?.Message)];
    }

    /// <inheritdoc/>
    public async Task<string?[]> RemoveBreakpointsAsync(ulong[] addresses, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var failures = await Target.RemoveBreakpointsAsync([.. addresses.Select(a => new BreakpointInsertion(a))]).ConfigureAwait(false);
        return [.. failures.Select(f => f?.Message)];
    }

    /// <inheritdoc/>
    public async Task<int> SetWatchpointAsync(ulong address, int size, int kind, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        if (kind is not ((int)WatchKind.Execute or (int)WatchKind.Write or (int)WatchKind.ReadWrite))
            throw new TargetException($"watch kind {kind} is not execute (0), write (1) or read/write (3).");
        var slot = await Target.SetWatchpointAsync(address, size, (WatchKind)kind).ConfigureAwait(false);
        return slot.Index;
    }

    /// <inheritdoc/>
    public Task ClearWatchpointAsync(int slot, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        return Target.ClearWatchpointAsync(slot);
    }

    /// <inheritdoc/>
    public async Task WriteStandardInputAsync(byte[] data, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        var stdin = Target.StandardInput ?? throw new TargetException("the program's stdin is not a pipe.");
        if (data is null || data.Length == 0)
        {
            await stdin.DisposeAsync().ConfigureAwait(false);
            return;
        }
        await stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<WireFile?> DescribeFileAsync(string path, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        if (string.IsNullOrEmpty(path) || path.Contains('\0'))
            return Task.FromResult<WireFile?>(null);
        string? local;
        if (Volatile.Read(ref target) is { } t)
        {
            using var file = t.OpenFile(path);
            local = file?.LocalPath;
        }
        else
            local = File.Exists(path) ? path : null;
        if (local is null)
            return Task.FromResult<WireFile?>(null);
        FileInfo info;
        try
        {
            info = new FileInfo(local);
            // A module is named by a link as often as not (libfoo.so.1): what is described and read is the file it names.
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
            {
                info = target;
                local = target.FullName;
            }
            // Shorter than an ELF header is no module; and FIFOs and devices say 0 here, and opening one could wait forever.
            if (!info.Exists || info.Length < 64)
                return Task.FromResult<WireFile?>(null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult<WireFile?>(null);
        }
        string? buildId = null;
        try
        {
            using var elf = ElfFile.Open(local);
            buildId = elf.BuildIdHex;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
        }
        lock (gate) describedFiles[path] = local;
        return Task.FromResult<WireFile?>(new WireFile
        {
            Length = info.Length,
            BuildId = buildId,
            ModifiedUnixSeconds = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds(),
        });
    }

    /// <inheritdoc/>
    public async Task<byte[]> ReadFileAsync(string path, long offset, int count, CancellationToken cancellationToken)
    {
        RequireAuthenticated();
        string? local;
        lock (gate) describedFiles.TryGetValue(path ?? "", out local);
        if (local is null)
            throw new TargetException($"'{path}' was not described first; ask DescribeFileAsync for it.");
        if (offset < 0 || count < 0 || count > MaxFileChunk)
            throw new TargetException($"a file read must start at a non-negative offset and be 0 to {MaxFileChunk} bytes long.");
        try
        {
            using var handle = File.OpenHandle(local, FileMode.Open, FileAccess.Read);
            long length = RandomAccess.GetLength(handle);
            int n = (int)Math.Clamp(length - offset, 0, count);
            var buffer = new byte[n];
            int done = 0;
            while (done < n)
            {
                int r = await RandomAccess.ReadAsync(handle, buffer.AsMemory(done), offset + done, cancellationToken).ConfigureAwait(false);
                if (r <= 0)
                    break;
                done += r;
            }
            return done == n ? buffer : buffer.AsSpan(0, done).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TargetException($"cannot read '{path}': {e.Message}", e);
        }
    }

    /// <summary>The connection has ended: lets the process go (an attached one detached with every byte and debug
    /// register restored, a launched one killed) and stops every wait.</summary>
    public async Task EndAsync()
    {
        ITarget? t;
        bool ended, wasLaunched;
        lock (gate)
        {
            t = target;
            ended = targetEnded;
            wasLaunched = launched;
        }
        if (t is not null && !ended && !t.HasEnded)
        {
            try
            {
                if (wasLaunched)
                {
                    await t.KillAsync().ConfigureAwait(false);
                    options.Log?.WriteLine($"trapdbg agent: the connection ended; killed the launched process {t.ProcessId}.");
                }
                else
                {
                    await t.DetachAsync().ConfigureAwait(false);
                    options.Log?.WriteLine($"trapdbg agent: the connection ended; detached from process {t.ProcessId}, which runs on.");
                }
            }
            catch (TargetException e)
            {
                options.Log?.WriteLine($"trapdbg agent: the connection ended and letting process {t.ProcessId} go failed: {e.Message}");
            }
        }
        ending.Cancel();
        if (pump is not null)
            await pump.ConfigureAwait(false);
        if (t is not null)
            await t.DisposeAsync().ConfigureAwait(false);
        ending.Dispose();
    }
}

/// <summary>The agent refused a client (wrong token, another client connected); the message says why.</summary>
public sealed class AgentRefusedException(string message) : TargetException(message);
