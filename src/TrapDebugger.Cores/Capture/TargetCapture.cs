using TrapDebugger.Elf.Core;

namespace TrapDebugger.Cores;

/// <summary>Describes a stopped target as a core records it: every thread's registers, the signal of the stop, the
/// auxiliary vector, the mapped files and the memory <see cref="CoreMemorySelection"/> keeps.</summary>
/// <remarks>The target says nothing of the process's parent, user or session, so NT_PRSTATUS and NT_PRPSINFO carry zero
/// there (gdb and lldb do not use them); NT_X86_XSTATE is not written, as the target reads x87/SSE registers only.</remarks>
public static class TargetCapture
{
    /// <summary>The description of <paramref name="target"/>, stopped because thread <paramref name="signalledThread"/>
    /// took <paramref name="signal"/> (null: a stop without a signal, written as signal 0).</summary>
    /// <exception cref="TargetException">The target cannot be read (it ended, or a thread vanished).</exception>
    public static async Task<CoreDescription> DescribeAsync(ITarget target, int signalledThread, SignalInfo? signal, CoreMemorySelection? selection = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        selection ??= new CoreMemorySelection();
        var auxv = await target.GetAuxiliaryVectorAsync().ConfigureAwait(false);
        var regions = await target.GetMemoryRegionsAsync().ConfigureAwait(false);
        // The thread that took the signal comes first: debuggers select it when they open the core.
        var order = target.ThreadIds.Where(t => t == signalledThread).Concat(target.ThreadIds.Where(t => t != signalledThread)).ToList();
        int signo = signal?.Signal ?? 0;
        var threads = new List<CoreThreadState>(order.Count);
        foreach (var tid in order)
        {
            var registers = await target.GetRegistersAsync(tid).ConfigureAwait(false);
            byte[]? fp = null;
            try
            {
                var f = await target.GetFloatingPointRegistersAsync(tid).ConfigureAwait(false);
                fp = new byte[FloatingPointRegisters.Size];
                System.Runtime.InteropServices.MemoryMarshal.Write(fp, in f);
            }
            catch (TargetException)
            {
                // A core without a thread's FP state is still a core: debuggers show those registers as unavailable.
            }
            ulong blocked = 0;
            try
            {
                blocked = (await target.GetSignalDispositionsAsync(tid).ConfigureAwait(false)).Blocked;
            }
            catch (TargetException)
            {
            }
            bool first = threads.Count == 0;
            var status = new ElfPrStatus(first ? signo : 0, first ? signal?.Code ?? 0 : 0, 0, (short)signo, 0, blocked,
                tid, 0, 0, 0, registers, fp is null ? 0 : 1);
            // As the kernel does: one NT_SIGINFO, after the thread that took the signal.
            threads.Add(new CoreThreadState(status, fp, null, first && signal is { } s ? ElfSigInfo.From(s) : null));
        }
        string program = target.ExecutablePath ?? "";
        string name = target.ThreadName(target.ProcessId) ?? Path.GetFileName(program);
        var mappings = Mappings(regions);
        return new CoreDescription
        {
            Process = new ElfPrPsInfo(3, (byte)'t', 0, 0, 0, 0, 0, target.ProcessId, 0, 0, 0,
                name.Length > 15 ? name[..15] : name, program),
            Threads = threads,
            Auxv = auxv.Entries,
            MappedFiles = [.. regions.Where(r => r.Path.StartsWith('/')).Select(r => new CoreMappedFile(r.Start, r.End, r.Offset, r.Path))],
            Regions = selection.Select(mappings, threads.Select(t => t.Status.Registers.Rip), target.Memory),
            Memory = target.Memory,
        };
    }

    /// <summary>The target's mappings as the memory selection takes them.</summary>
    /// <remarks>A target does not say which private file pages the process wrote (smaps' "Anonymous:"). The one kind that
    /// matters, RELRO data (.data.rel.ro, .dynamic with DT_DEBUG, .got), is what the loader makes read-only at the start of
    /// a file's writable segment: a read-only, non-executable private file mapping directly followed by a writable
    /// mapping of the same file. It is kept whole, so debuggers find the link map through DT_DEBUG.</remarks>
    public static IReadOnlyList<ProcessMapping> Mappings(IReadOnlyList<MemoryRegion> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var ordered = regions.OrderBy(r => r.Start).ToList();
        var result = new List<ProcessMapping>(ordered.Count);
        for (int i = 0; i < ordered.Count; i++)
        {
            var r = ordered[i];
            bool relro = r.Private && r.Readable && !r.Writable && !r.Executable && r.Path.StartsWith('/')
                && i + 1 < ordered.Count && ordered[i + 1] is { Writable: true } next && next.Start == r.End && next.Path == r.Path;
            result.Add(new ProcessMapping(r.Start, r.End, r.Readable, r.Writable, r.Executable, !r.Private, r.Offset, r.Path, relro));
        }
        return result;
    }
}
