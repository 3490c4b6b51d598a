using TrapDebugger.Elf;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Traps;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>The trap-site catalog of one module, read from its file: every ud2, UBSan ud1 and program int3 of its functions (those
/// the debug information describes and those only the symbol table names), with each site's message and the checks that reach it.
/// <c>trapdbg traps</c>, the DAP <c>trapSites</c> request and <see cref="Process.TargetProcess.GetTrapSiteCatalog"/> all use it.</summary>
public sealed class ModuleTrapCatalog
{
    private ModuleTrapCatalog(string modulePath, IReadOnlyList<TrapSite> sites)
    {
        ModulePath = modulePath;
        Sites = sites;
    }

    /// <summary>The module's path.</summary>
    public string ModulePath { get; }

    /// <summary>The trap sites in address order, at the module's run-time addresses (the file's link-time addresses when read
    /// without a process). A verbose trap's <see cref="TrapSite.Location"/> is the user's <c>__builtin_verbose_trap</c> call line,
    /// where a stop on it lands, not the trap's own line row (line 0 in the artificial trap-message function).</summary>
    public IReadOnlyList<TrapSite> Sites { get; }

    /// <summary>Scans <paramref name="module"/>'s code as its file holds it (so debugger breakpoints are never seen).</summary>
    /// <param name="module">The module; a module whose file is not readable ELF has an empty catalog.</param>
    /// <param name="symbols">Symbolizes the module's addresses and recovers messages from source lines.</param>
    /// <param name="cancellationToken">Stops the scan between functions.</param>
    /// <exception cref="OperationCanceledException">The scan was cancelled.</exception>
    public static ModuleTrapCatalog Build(Module module, TargetSymbolizer symbols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(symbols);
        var functions = Functions(module, out var firstDescribed);
        cancellationToken.ThrowIfCancellationRequested();
        var clang = firstDescribed is { } start ? symbols.ProducerClangVersion(start) : null;
        var scanned = functions.Select(f =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return f;
        });
        var catalog = TrapSiteCatalog.Build(scanned, new ModuleCodeReader(module), symbols, symbols, clang);
        var sites = new List<TrapSite>(catalog.Sites.Count);
        ulong? previous = null;
        foreach (var site in catalog.Sites)
        {
            // Two symbols over the same code (a split function's cold part named by DWARF and by the symbol table) find it twice.
            if (site.Address == previous) continue;
            previous = site.Address;
            sites.Add(site.MessageSource == MessageSource.Dwarf && CallLine(site.Address, symbols) is { } call ? site with { Location = call } : site);
        }
        return new ModuleTrapCatalog(module.Path, sites);
    }

    /// <summary>The catalog of the binary at <paramref name="path"/>, without a process: addresses are the file's link-time addresses.</summary>
    /// <exception cref="InvalidDataException">The file is not an ELF file the reader accepts.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleTrapCatalog ReadFile(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"'{full}' does not exist", full);
        using var target = new Target();
        var module = target.Add(full, 0, isMainProgram: true);
        if (module.Elf is null)
            throw new InvalidDataException(module.LoadError is { } error ? $"'{full}' cannot be read as ELF ({error})" : $"'{full}' cannot be read as ELF");
        return Build(module, new TargetSymbolizer(target), cancellationToken);
    }

    /// <summary>True when the optimizer merged distinct checks into <paramref name="site"/>: it has no message frame of its own and
    /// its branches come from more than one source check (a different line or message). The two branches of one
    /// <c>a || b</c> condition are one check.</summary>
    public static bool IsMerged(TrapSite site)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (site.MessageSource == MessageSource.Dwarf) return false;
        return site.Origins.Select(o => (o.Location?.File, o.Location?.Line, o.Message)).Distinct().Count() > 1;
    }

    /// <summary>The out-of-line functions of <paramref name="module"/> at run-time addresses: the debug information's subprograms
    /// (every range of a split function), then the symbol table's functions the debug information does not describe (stripped
    /// code, libraries without debug files). Only ranges inside executable segments count: the linker leaves the ranges of
    /// discarded functions at address 0 (a tombstone), which in a PIE is the ELF header.</summary>
    private static List<FunctionBounds> Functions(Module module, out ulong? firstDescribed)
    {
        firstDescribed = null;
        var functions = new List<FunctionBounds>();
        if (module.Symbols is not { } symbols) return functions;
        var code = symbols.Elf.Segments.Where(s => s.Type == ElfSegmentType.Load && s.IsExecutable)
            .Select(s => (Low: s.VirtualAddress, High: s.VirtualAddress + s.FileSize)).ToList();
        bool InCode(ulong low, ulong high) => code.Any(s => low >= s.Low && high <= s.High);
        var split = SplitFunctionSymbols.Of(symbols.Elf.Symbols);
        try
        {
            foreach (var function in symbols.Functions())
            {
                if (function.IsInlined) continue;
                var name = function.QualifiedName ?? FrameSymbolizer.Demangle(function.Name);
                // A split function's parts: DW_AT_ranges lists them all; a symbol-table function finds its f.cold by name.
                var ranges = function.Die is null && function.Symbol is { } symbol
                    ? split.PartsOf(symbol)
                    : split.EntryFirst(function.Ranges);
                var parts = ranges.Where(r => r.High > r.Low && InCode(r.Low, r.High))
                    .Select(r => new CodeRange(module.ToRuntimeAddress(r.Low), module.ToRuntimeAddress(r.High))).ToList();
                foreach (var range in function.Ranges)
                {
                    if (range.High <= range.Low || !InCode(range.Low, range.High)) continue;
                    var start = module.ToRuntimeAddress(range.Low);
                    if (function.Die is not null) firstDescribed ??= start;
                    functions.Add(new FunctionBounds(start, module.ToRuntimeAddress(range.High), name) { Parts = parts.Count > 1 ? parts : [] });
                }
            }
        }
        catch (InvalidDataException)
        {
            // A corrupt unit ends the list where it is: the functions read so far are still scanned.
        }
        return functions;
    }

    /// <summary>Where the trap-message frame at <paramref name="address"/> was "called": the user's <c>__builtin_verbose_trap</c> line.</summary>
    private static Traps.SourceLocation? CallLine(ulong address, TargetSymbolizer symbols)
    {
        if (symbols.Symbolize(address) is not { } at) return null;
        foreach (var frame in at.InlineChain)
        {
            if (VerboseTrapName.TryParse(frame.Name, out _, out _)) return frame.CallSite is { Line: > 0 } call ? call : null;
        }
        return null;
    }
}
