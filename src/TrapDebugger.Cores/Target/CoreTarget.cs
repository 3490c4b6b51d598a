using System.Threading.Channels;
using TrapDebugger.Elf.Core;

namespace TrapDebugger.Cores;

/// <summary>A core file as a debugging target: the process as it was when the core was written, stopped for good at the
/// signal the core recorded. Threads, registers, memory, mappings, auxv and modules come from the core; the program and
/// libraries from the files a <see cref="ModuleFileLocator"/> finds.</summary>
/// <remarks>Read-only: running, stepping, pausing, breakpoints, watchpoints and every write are refused with a
/// <see cref="ReadOnlyTargetException"/> whose one sentence says why. Its first event is the recorded stop (the signal
/// of the first thread, which the kernel puts first because it took the signal), and ending it (kill or detach) closes
/// the core, reported as the death the core records.</remarks>
public sealed class CoreTarget : ITarget
{
    private readonly Channel<TargetEvent> _events = Channel.CreateUnbounded<TargetEvent>();
    private readonly Dictionary<int, CoreThread> _threads;
    private readonly ModuleFileLocator _files;
    private readonly Lazy<IReadOnlyList<MemoryRegion>> _regions;
    private readonly List<string> _warnings = [];
    private int _ended;

    private CoreTarget(CoreFile core, ModuleFileLocator files)
    {
        Core = core;
        _files = files;
        _threads = core.Threads.GroupBy(t => t.ThreadId).ToDictionary(g => g.Key, g => g.First());
        ThreadIds = [.. _threads.Keys.Order()];
        ProcessId = core.ProcessInfo?.Pid is > 0 and var pid ? pid : ThreadIds[0];
        var program = core.MainProgram;
        files.ProgramRecordedPath ??= program?.Path;
        ExecutablePath = program?.Path ?? files.Program;
        Memory = new CoreTargetMemory(core.Memory, ReadOnlySentence("written"));
        Modules = [.. core.Modules.Where(m => m.IsLoaded && !m.IsMainProgram && !m.IsVdso)
            .Select(m => new LoadedModule(m.Path, m.LoadBias, m.DynamicAddress ?? 0))];
        _regions = new(ReadRegions);
        var signalled = core.SignalledThread;
        var signal = core.SignalInfo?.ToSignalInfo()
            ?? (signalled.Status.CurrentSignal > 0 ? new SignalInfo(signalled.Status.CurrentSignal, signalled.Status.SignalCode) : (SignalInfo?)null);
        Signal = signal is { Signal: > 0 } ? signal : null;
        _events.Writer.TryWrite(new ProcessStopped(signalled.ThreadId, Signal is null ? StopReason.Pause : StopReason.Signal, Signal,
            signalled.Registers.Rip, null, 0));
    }

    /// <summary>Opens the core at <paramref name="path"/> (a zstd core of systemd-coredump is inflated first) and finds its
    /// files with <paramref name="files"/> (default: the recorded paths and the core's folder, build-ids checked).</summary>
    /// <exception cref="CoreFormatException">The file is not a readable core; the message is one sentence.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static CoreTarget Open(string path, ModuleFileLocator? files = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        files ??= new ModuleFileLocator(searchDirectories: [Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/"]);
        var core = CoreFile.Open(path, files);
        try
        {
            return new CoreTarget(core, files);
        }
        catch
        {
            core.Dispose();
            throw;
        }
    }

    /// <summary>The core file.</summary>
    public CoreFile Core { get; }

    /// <summary>The signal the core recorded for its first thread, or null for a core of a process that took none
    /// (gdb's <c>gcore</c> of a running process); the first stop is then a pause.</summary>
    public SignalInfo? Signal { get; }

    /// <summary>One sentence per thing the target could not use: a truncated core, a missing file, a file whose build-id
    /// is not the core's.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_warnings) return [.. Core.Warnings, .. _warnings];
        }
    }

    /// <inheritdoc/>
    public int ProcessId { get; }

    /// <inheritdoc/>
    public string? ExecutablePath { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> ThreadIds { get; }

    /// <inheritdoc/>
    /// <remarks>A core records only the process's name (NT_PRPSINFO's pr_fname, the main thread's comm).</remarks>
    public string? ThreadName(int threadId) =>
        threadId == ProcessId && Core.ProcessInfo is { FileName.Length: > 0 } info ? info.FileName : null;

    /// <inheritdoc/>
    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <inheritdoc/>
    public string? ReadOnlyReason => ReadOnlySentence("run, stepped or paused");

    /// <inheritdoc/>
    public ChannelReader<TargetEvent> Events => _events.Reader;

    /// <inheritdoc/>
    public ITargetMemory Memory { get; }

    /// <inheritdoc/>
    public IReadOnlyList<LoadedModule> Modules { get; }

    /// <inheritdoc/>
    public TargetFile? OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? buildId = Core.Modules.FirstOrDefault(m => m.Path == path && m.BuildIdHex is not null)?.BuildIdHex;
        if (path == ExecutablePath) buildId ??= Core.MainProgram?.BuildIdHex;
        var found = _files.Locate(path, buildId, Warn);
        return found is null ? null : TargetFile.Local(path, found.Path);
    }

    /// <inheritdoc/>
    public Task<AuxVector> GetAuxiliaryVectorAsync() => Task.FromResult(Core.AuxiliaryVector);

    /// <inheritdoc/>
    public Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync() => Task.FromResult(_regions.Value);

    /// <inheritdoc/>
    /// <remarks>A core records which signals each thread blocked and had pending, not which ones the program caught or
    /// ignored: every signal counts as taking its default action.</remarks>
    public Task<SignalDispositions> GetSignalDispositionsAsync(int threadId) =>
        Task.FromResult(new SignalDispositions(0, 0, Thread(threadId).Status.HeldSignals));

    /// <inheritdoc/>
    public Task<GeneralRegisters> GetRegistersAsync(int threadId) => Task.FromResult(Thread(threadId).Registers);

    /// <inheritdoc/>
    public Task SetRegistersAsync(int threadId, GeneralRegisters registers) => throw Refused("changed");

    /// <inheritdoc/>
    public Task<FloatingPointRegisters> GetFloatingPointRegistersAsync(int threadId) =>
        Thread(threadId).FloatingPointRegisters is { } fp
            ? Task.FromResult(fp)
            : throw new TargetException($"{Core.Name} holds no floating-point registers for thread {threadId} (no NT_FPREGSET or NT_X86_XSTATE note).");

    /// <inheritdoc/>
    public Task SetFloatingPointRegistersAsync(int threadId, FloatingPointRegisters registers) => throw Refused("changed");

    /// <inheritdoc/>
    /// <remarks>A core holds no debug registers: they read as zero, as in a thread no watchpoint was ever set in.</remarks>
    public Task<ulong[]> GetDebugRegistersAsync(int threadId)
    {
        _ = Thread(threadId);
        return Task.FromResult(new ulong[8]);
    }

    /// <inheritdoc/>
    public Task ContinueAsync(bool deliverSignals = true) => throw Refused("continued");

    /// <inheritdoc/>
    public Task StepInstructionAsync(int threadId) => throw Refused("stepped");

    /// <inheritdoc/>
    /// <remarks>Functions of the program cannot be called in a core: nothing can run in it.</remarks>
    public Task RunThreadAsync(int threadId) => throw Refused("run");

    /// <inheritdoc/>
    public Task<SavedThreadState> SaveThreadAsync(int threadId) => throw Refused("run");

    /// <inheritdoc/>
    public Task RestoreThreadAsync(int threadId, SavedThreadState state) => throw Refused("run");

    /// <inheritdoc/>
    /// <remarks>The process is stopped for good, so there is nothing to pause.</remarks>
    public Task PauseAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    /// <remarks>Closes the core: its end is reported as the death it records.</remarks>
    public Task KillAsync()
    {
        End();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Closes the core, as <see cref="KillAsync"/> does.</remarks>
    public Task DetachAsync(bool keepStopped = false)
    {
        End();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task InsertBreakpointAsync(ulong address, BreakpointDecision? decide = null) =>
        throw new ReadOnlyTargetException($"breakpoints cannot be hit in core file {Core.Name}: the process it records has ended and cannot run.");

    /// <inheritdoc/>
    public Task RemoveBreakpointAsync(ulong address, BreakpointDecision? decide = null) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<DebugRegisterSlot> SetWatchpointAsync(ulong address, int size, WatchKind kind) =>
        throw new ReadOnlyTargetException($"data breakpoints cannot be hit in core file {Core.Name}: the process it records has ended and cannot run.");

    /// <inheritdoc/>
    public Task ClearWatchpointAsync(int slot) => Task.CompletedTask;

    /// <inheritdoc/>
    public Stream? StandardInput => null;

    /// <inheritdoc/>
    public Stream? StandardOutput => null;

    /// <inheritdoc/>
    public Stream? StandardError => null;

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        End();
        Core.Dispose();
        return ValueTask.CompletedTask;
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        _events.Writer.TryWrite(Signal is { } s ? new ProcessKilled(s.Signal, true, s) : new ProcessDetached());
        _events.Writer.TryComplete();
    }

    private CoreThread Thread(int threadId) =>
        _threads.TryGetValue(threadId, out var t) ? t : throw new TargetException($"core file {Core.Name} has no thread {threadId}.");

    private void Warn(string sentence)
    {
        lock (_warnings)
        {
            if (!_warnings.Contains(sentence)) _warnings.Add(sentence);
        }
    }

    private string ReadOnlySentence(string what) =>
        $"core file {Core.Name} records a process that has ended: it can be inspected, not {what}.";

    private ReadOnlyTargetException Refused(string what) => new(ReadOnlySentence(what));

    // One region per PT_LOAD, named from NT_FILE; file mappings a core has no PT_LOAD for (gdb leaves read-only ones
    // out) from NT_FILE alone; the vDSO and the main thread's stack named as /proc/PID/maps names them.
    private IReadOnlyList<MemoryRegion> ReadRegions()
    {
        var files = Core.MappedFiles;
        ulong vdso = Core.GetAuxv(AuxVector.AT_SYSINFO_EHDR) ?? 0;
        ulong stack = _threads.TryGetValue(ProcessId, out var main) ? main.Registers.Rsp : 0;
        var regions = new List<MemoryRegion>();
        foreach (var s in Core.Memory.Segments)
        {
            var file = files.FirstOrDefault(f => f.Start == s.Address) ?? files.FirstOrDefault(f => f.Contains(s.Address));
            string path = file?.Path ?? (s.Address == vdso ? "[vdso]" : s.Contains(stack) && s.IsWritable ? "[stack]" : "");
            regions.Add(new MemoryRegion(s.Address, s.End, (s.Flags & 4) != 0, s.IsWritable, s.IsExecutable, true, path)
            {
                Offset = file is null ? 0 : file.FileOffset + (s.Address - file.Start),
            });
        }
        foreach (var f in files.Where(f => Core.Memory.FindSegment(f.Start) is null))
            regions.Add(new MemoryRegion(f.Start, f.End, true, false, false, true, f.Path) { Offset = f.FileOffset });
        return [.. regions.OrderBy(r => r.Start)];
    }
}
