namespace TrapDebugger.Engine.Model;

/// <summary>Reads modules' symbols, unit ranges and unwind tables ahead of the first stop, so the stop's backtrace
/// and diagnosis do not wait for them.</summary>
/// <remarks>glibc's separate debug file is compressed; reading it in the middle of the first trap was most of the
/// first trap-to-stopped time (measured in bench/dap); lldb pays the same cost while it attaches. Modules open their
/// files lazily and thread-safely: when a stop comes first, it waits for, or does, the same work, and nothing is read
/// twice.</remarks>
public static class SymbolPreloader
{
    /// <summary>Reads every module of <paramref name="modules"/> on the calling thread, the program first (its frames
    /// are the ones shown), then its libraries; stops early when <paramref name="stop"/> is cancelled.</summary>
    public static void Preload(IEnumerable<Module> modules, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var module in modules.OrderByDescending(m => m.IsMainProgram).ToList())
        {
            if (stop.IsCancellationRequested) return;
            Preload(module);
        }
    }

    /// <summary>Starts <see cref="Preload(IEnumerable{Module}, CancellationToken)"/> on a worker thread and returns at once.</summary>
    /// <remarks>The caller must await the task (after cancelling <paramref name="stop"/>) before it disposes the modules:
    /// their files are memory-mapped.</remarks>
    public static Task Start(IEnumerable<Module> modules, CancellationToken stop)
    {
        var list = modules.ToList();
        return Task.Run(() => Preload(list, stop), CancellationToken.None);
    }

    private static void Preload(Module module)
    {
        try
        {
            if (module.Elf is not { } elf) return;
            // One lookup reads the symbol tables, the unit ranges and a unit's DIEs and line table (and decompresses the
            // sections of a separate debug file); one unwind row reads the call frame information.
            ulong entry = elf.Header.Entry != 0 ? elf.Header.Entry : elf.FirstLoadAddress;
            module.Symbols?.Lookup(entry);
            module.FindUnwindRow(module.ToRuntimeAddress(entry));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or NotSupportedException or ObjectDisposedException)
        {
            // A module whose debug information cannot be read is reported when a stop uses it, not here.
        }
    }
}
