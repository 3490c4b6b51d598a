using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native;

// What the process tells about itself through /proc, for the engine's view of a target.
public sealed partial class TraceeProcess
{
    /// <inheritdoc/>
    public int ProcessId => Pid;

    /// <inheritdoc/>
    public string? ExecutablePath => ProcFs.Executable(Pid);

    /// <inheritdoc/>
    public ITargetMemory Memory => view;

    /// <inheritdoc/>
    public string? ThreadName(int threadId) => ProcFs.ThreadComm(Pid, threadId);

    /// <inheritdoc/>
    /// <remarks>A process in another mount namespace (a container) sees files this machine may not have at the same
    /// path; the kernel shows them under /proc/PID/root. Such a process's own files come first: the same path here may
    /// hold another build.</remarks>
    public TargetFile? OpenFile(string path)
    {
        bool contained = path.StartsWith('/') && (containerFiles ??= ProcFs.InOtherMountNamespace(Pid));
        if (contained && $"/proc/{Pid}/root{path}" is var own && File.Exists(own)) return TargetFile.Local(path, own);
        if (File.Exists(path)) return TargetFile.Local(path, path);
        if (path.StartsWith('/') && $"/proc/{Pid}/root{path}" is var inside && File.Exists(inside)) return TargetFile.Local(path, inside);
        return null;
    }

    // Whether the process lives in another mount namespace, read once.
    private bool? containerFiles;

    /// <inheritdoc/>
    public Task<AuxVector> GetAuxiliaryVectorAsync() => Task.FromResult(ProcFs.Auxv(Pid));

    /// <inheritdoc/>
    public Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync() => Task.FromResult(ProcFs.Maps(Pid));

    /// <inheritdoc/>
    public Task<SignalDispositions> GetSignalDispositionsAsync(int threadId) =>
        Task.FromResult(ProcFs.ThreadStatus(Pid, threadId) is { } s ? s.Signals : SignalDispositions.Unknown);
}
