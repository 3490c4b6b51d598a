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
    /// path; the kernel shows them under /proc/PID/root.</remarks>
    public TargetFile? OpenFile(string path)
    {
        if (File.Exists(path)) return TargetFile.Local(path, path);
        if (path.StartsWith('/') && $"/proc/{Pid}/root{path}" is var inside && File.Exists(inside)) return TargetFile.Local(path, inside);
        return null;
    }

    /// <inheritdoc/>
    public Task<AuxVector> GetAuxiliaryVectorAsync() => Task.FromResult(ProcFs.Auxv(Pid));

    /// <inheritdoc/>
    public Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync() => Task.FromResult(ProcFs.Maps(Pid));

    /// <inheritdoc/>
    public Task<SignalDispositions> GetSignalDispositionsAsync(int threadId) =>
        Task.FromResult(ProcFs.ThreadStatus(Pid, threadId) is { } s ? s.Signals : SignalDispositions.Unknown);
}
