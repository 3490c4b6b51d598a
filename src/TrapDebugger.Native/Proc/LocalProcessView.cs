namespace TrapDebugger.Native.Proc;

/// <summary>What a live local process tells about itself through /proc, whoever traces it: the tracer in this process
/// (<see cref="TraceeProcess"/>) or a guardian (<see cref="Guardian.GuardedTarget"/>).</summary>
internal static class LocalProcessView
{
    /// <summary>The file of a module at <paramref name="path"/> as process <paramref name="pid"/> names it.</summary>
    /// <remarks>A process in another mount namespace (a container) sees files this machine may not have at the same path;
    /// the kernel shows them under /proc/PID/root. Such a process's own files come first: the same path here may hold
    /// another build.</remarks>
    public static TargetFile? OpenFile(int pid, string path)
    {
        if (path.StartsWith('/') && ProcFs.InOtherMountNamespace(pid) && $"/proc/{pid}/root{path}" is var own && File.Exists(own))
            return TargetFile.Local(path, own);
        if (File.Exists(path)) return TargetFile.Local(path, path);
        if (path.StartsWith('/') && $"/proc/{pid}/root{path}" is var inside && File.Exists(inside)) return TargetFile.Local(path, inside);
        return null;
    }

    /// <summary>The caught, ignored and blocked signals of thread <paramref name="threadId"/>.</summary>
    public static SignalDispositions SignalDispositions(int pid, int threadId) =>
        ProcFs.ThreadStatus(pid, threadId) is { } s ? s.Signals : Targets.SignalDispositions.Unknown;
}
