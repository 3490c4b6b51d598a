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
    public TargetFile? OpenFile(string path) => LocalProcessView.OpenFile(Pid, path);

    /// <inheritdoc/>
    public Task<AuxVector> GetAuxiliaryVectorAsync() => Task.FromResult(ProcFs.Auxv(Pid));

    /// <inheritdoc/>
    public Task<IReadOnlyList<MemoryRegion>> GetMemoryRegionsAsync() => Task.FromResult(ProcFs.Maps(Pid));

    /// <inheritdoc/>
    public Task<SignalDispositions> GetSignalDispositionsAsync(int threadId) => Task.FromResult(LocalProcessView.SignalDispositions(Pid, threadId));
}
