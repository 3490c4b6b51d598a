using TrapDebugger.Engine.Model;

namespace TrapDebugger.Cli.Running;

/// <summary>Reads the symbols, debug information and unwind tables of a process's modules in the background while the
/// program runs, so the report after a trap does not wait for them (glibc's separate, compressed debug file alone takes
/// a few hundred milliseconds to open).</summary>
/// <remarks>Modules open their files lazily and thread-safely: when a trap comes first, the analysis waits for (or does)
/// the same work and nothing is read twice.</remarks>
public static class SymbolPreloader
{
    /// <summary>Starts reading every module of <paramref name="target"/> on a background thread; returns at once.</summary>
    /// <remarks>The caller must await the task (after cancelling <paramref name="stop"/>) before it disposes the modules:
    /// their files are memory-mapped.</remarks>
    public static Task Start(Target target, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(target);
        var modules = target.Modules.ToList();
        return Task.Run(() =>
        {
            // The program first (its frames are the ones shown), then its libraries.
            foreach (var module in modules.OrderByDescending(m => m.IsMainProgram))
            {
                if (stop.IsCancellationRequested) return;
                Preload(module);
            }
        }, CancellationToken.None);
    }

    private static void Preload(Module module)
    {
        try
        {
            if (module.Symbols is not { } symbols) return;
            // One lookup reads the symbol tables, the unit ranges and a unit's DIEs and line table (and decompresses the
            // sections of a separate debug file).
            var function = symbols.Elf.Symbols.All.FirstOrDefault(s => s.IsFunction && !s.IsUndefined && s.Value != 0 && s.Size > 0);
            if (function is null) return;
            symbols.Lookup(function.Value);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            // The analysis reads the module again when it needs it and reports what is wrong with it then.
        }
    }
}
