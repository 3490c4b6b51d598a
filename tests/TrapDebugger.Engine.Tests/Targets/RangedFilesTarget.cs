using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using TrapDebugger.Native;
using TrapDebugger.Targets;

namespace TrapDebugger.Engine.Tests.Targets;

/// <summary>The local platform, except that every file of a target is served by byte ranges, as the remote agent serves
/// the files of a process on another host: the engine gets no local path to map.</summary>
internal sealed class RangedFilesPlatform : ITargetPlatform
{
    private long _bytesRead;

    /// <summary>How many bytes the engine has read from the targets' files.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The paths of the files the engine asked for.</summary>
    public HashSet<string> FilesOpened { get; } = [];

    public async Task<ITarget> LaunchAsync(LaunchOptions options, CancellationToken cancellationToken = default) =>
        new RangedFilesTarget(await LocalPlatform.Instance.LaunchAsync(options, cancellationToken), this);

    public async Task<ITarget> AttachAsync(int processId, CancellationToken cancellationToken = default) =>
        new RangedFilesTarget(await LocalPlatform.Instance.AttachAsync(processId, cancellationToken), this);

    public Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(CancellationToken cancellationToken = default) =>
        LocalPlatform.Instance.ListProcessesAsync(cancellationToken);

    public Task<int> WaitForProcessAsync(string program, CancellationToken cancellationToken) =>
        LocalPlatform.Instance.WaitForProcessAsync(program, cancellationToken);

    public Task<ProcessInfo?> FindProcessAsync(int processId, CancellationToken cancellationToken = default) =>
        LocalPlatform.Instance.FindProcessAsync(processId, cancellationToken);

    private void Opened(string path)
    {
        lock (FilesOpened) FilesOpened.Add(path);
    }

    private void Counted(int bytes) => Interlocked.Add(ref _bytesRead, bytes);

    /// <summary>A live target whose <see cref="OpenFile"/> hands out byte sources instead of local paths.</summary>
    private sealed class RangedFilesTarget(ITarget inner, RangedFilesPlatform platform) : ITarget
    {
        public int ProcessId => inner.ProcessId;
        public string? ExecutablePath => inner.ExecutablePath;
        public IReadOnlyList<int> ThreadIds => inner.ThreadIds;
        public bool HasEnded => inner.HasEnded;
        public ChannelReader<TargetEvent> Events => inner.Events;
        public ITargetMemory Memory => inner.Memory;
        public IReadOnlyList<LoadedModule> Modules => inner.Modules;
        public Stream? StandardInput => inner.StandardInput;
        public Stream? StandardOutput => inner.StandardOutput;
        public Stream? StandardError => inner.StandardError;

        public string? ThreadName(int threadId) => inner.ThreadName(threadId);

        public TargetFile? OpenFile(string path)
        {
            using var local = inner.OpenFile(path);
            if (local?.LocalPath is not { } file) return null;
            platform.Opened(path);
            var handle = File.OpenHandle(file);
            return TargetFile.FromSource(path, new RangedFile(handle, platform), (ulong)RandomAccess.GetLength(handle));
        }

        public Task<AuxVector> GetAuxiliaryVectorAsync() => inner.GetAuxiliaryVectorAsync();
        public Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync() => inner.GetMemoryRegionsAsync();
        public Task<SignalDispositions> GetSignalDispositionsAsync(int threadId) => inner.GetSignalDispositionsAsync(threadId);
        public Task<GeneralRegisters> GetRegistersAsync(int threadId) => inner.GetRegistersAsync(threadId);
        public Task SetRegistersAsync(int threadId, GeneralRegisters registers) => inner.SetRegistersAsync(threadId, registers);
        public Task<FloatingPointRegisters> GetFloatingPointRegistersAsync(int threadId) => inner.GetFloatingPointRegistersAsync(threadId);
        public Task SetFloatingPointRegistersAsync(int threadId, FloatingPointRegisters registers) => inner.SetFloatingPointRegistersAsync(threadId, registers);
        public Task<ulong[]> GetDebugRegistersAsync(int threadId) => inner.GetDebugRegistersAsync(threadId);
        public Task ContinueAsync(bool deliverSignals = true) => inner.ContinueAsync(deliverSignals);
        public Task StepInstructionAsync(int threadId) => inner.StepInstructionAsync(threadId);
        public Task RunThreadAsync(int threadId) => inner.RunThreadAsync(threadId);
        public Task<SavedThreadState> SaveThreadAsync(int threadId) => inner.SaveThreadAsync(threadId);
        public Task RestoreThreadAsync(int threadId, SavedThreadState state) => inner.RestoreThreadAsync(threadId, state);
        public Task PauseAsync() => inner.PauseAsync();
        public Task KillAsync() => inner.KillAsync();
        public Task DetachAsync(bool keepStopped = false) => inner.DetachAsync(keepStopped);
        public Task InsertBreakpointAsync(ulong address, BreakpointDecision? decide = null) => inner.InsertBreakpointAsync(address, decide);
        public Task RemoveBreakpointAsync(ulong address, BreakpointDecision? decide = null) => inner.RemoveBreakpointAsync(address, decide);
        public Task<DebugRegisterSlot> SetWatchpointAsync(ulong address, int size, WatchKind kind) => inner.SetWatchpointAsync(address, size, kind);
        public Task ClearWatchpointAsync(int slot) => inner.ClearWatchpointAsync(slot);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>A file read one range at a time through its handle, never mapped.</summary>
    private sealed class RangedFile(SafeFileHandle handle, RangedFilesPlatform platform) : IByteSource, IDisposable
    {
        public int Read(ulong address, Span<byte> buffer)
        {
            if (address > long.MaxValue) return 0;
            int total = 0;
            while (total < buffer.Length)
            {
                int n = RandomAccess.Read(handle, buffer[total..], (long)address + total);
                if (n <= 0) break;
                total += n;
            }
            platform.Counted(total);
            return total;
        }

        public void Dispose() => handle.Dispose();
    }
}
