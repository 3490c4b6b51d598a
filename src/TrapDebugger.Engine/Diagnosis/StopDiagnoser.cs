using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Traps;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>Turns a signal stop into a <see cref="StopDiagnosis"/>: gathers what the trap analysis needs (registers, code
/// and memory, the mappings, the backtrace, the symbols) and keeps each module's trap-site catalog.</summary>
internal sealed class StopDiagnoser(ITarget target, Target modules)
{
    private static int _analysisPrepared;
    private readonly Dictionary<Module, ModuleTrapCatalog> _catalogs = [];
    private TargetSymbolizer? _trapSymbols;

    /// <summary>The trap analysis's symbol view of the process.</summary>
    public TargetSymbolizer TrapSymbols => _trapSymbols ??= new TargetSymbolizer(modules);

    /// <summary>Builds the trap analysis's decoder tables on a worker thread, once per debugger process, while the
    /// program is being attached or launched (see <see cref="StopAnalysis.Prepare"/>).</summary>
    public static void PrepareAnalysis()
    {
        if (Interlocked.Exchange(ref _analysisPrepared, 1) == 0)
            _ = Task.Run(StopAnalysis.Prepare);
    }

    // The last Rust panic each thread reported: a panic=abort panic's SIGABRT follows it, and its message is no longer in reach.
    private readonly Dictionary<int, StopDiagnosis> _panics = [];

    /// <summary>Runs the trap and fault analysis for a signal stop (or a language event's breakpoint) and builds the stop to
    /// report, with what the signal would do to the program if passed on.</summary>
    public async Task<StopInfo> DiagnoseStopAsync(ProcessStopped stop, StopSnapshot snapshot, IReadOnlySet<ulong> debuggerBreakpoints,
        LanguageEvent languageEvent = LanguageEvent.None)
    {
        var diagnosis = await DiagnoseThreadAsync(stop.ThreadId, stop.Signal, snapshot, debuggerBreakpoints, languageEvent).ConfigureAwait(false);
        if (diagnosis.Kind == StopKind.RustPanic && languageEvent == LanguageEvent.RustPanic)
        {
            lock (_panics) _panics[stop.ThreadId] = diagnosis;
        }
        var fate = languageEvent == LanguageEvent.None && stop.Signal is { } signal
            ? SignalFates.Of(signal, await DispositionsAsync(stop.ThreadId).ConfigureAwait(false))
            : SignalFate.NotASignal;
        return new StopInfo(stop.ThreadId, StopCause.Exception, diagnosis.Description, [], diagnosis, diagnosis.Landing?.FrameIndex ?? 0)
        {
            Fate = fate,
            Event = languageEvent,
            Signal = stop.Signal,
        };
    }

    // Unknown dispositions leave every signal at its default action, so a crash is never passed by mistake.
    private async Task<SignalDispositions> DispositionsAsync(int threadId)
    {
        try
        {
            return await target.GetSignalDispositionsAsync(threadId).ConfigureAwait(false);
        }
        catch (TargetException)
        {
            return SignalDispositions.Unknown;
        }
    }

    /// <summary>Diagnoses why thread <paramref name="threadId"/> is stopped with <paramref name="signal"/> (registers, code, memory, maps, backtrace).</summary>
    /// <param name="threadId">The stopped thread.</param>
    /// <param name="signal">The signal it stopped with; without one the stop is diagnosed as a trap the kernel raised.</param>
    /// <param name="snapshot">The state of the stop, which unwinds the thread's stack.</param>
    /// <param name="debuggerBreakpoints">The addresses where the debugger has inserted breakpoints (their int3 is not the program's).</param>
    /// <param name="languageEvent">The language event when the thread stopped at a runtime's event breakpoint (no signal then).</param>
    public async Task<StopDiagnosis> DiagnoseThreadAsync(int threadId, SignalInfo? signal, StopSnapshot snapshot, IReadOnlySet<ulong> debuggerBreakpoints,
        LanguageEvent languageEvent = LanguageEvent.None)
    {
        var g = await target.GetRegistersAsync(threadId).ConfigureAwait(false);
        var registers = new RegisterState
        {
            Rax = g.Rax, Rbx = g.Rbx, Rcx = g.Rcx, Rdx = g.Rdx, Rsi = g.Rsi, Rdi = g.Rdi, Rbp = g.Rbp, Rsp = g.Rsp,
            R8 = g.R8, R9 = g.R9, R10 = g.R10, R11 = g.R11, R12 = g.R12, R13 = g.R13, R14 = g.R14, R15 = g.R15,
            Rip = g.Rip, Rflags = g.Eflags, FsBase = g.FsBase, GsBase = g.GsBase,
        };
        // Without a siginfo the stop is diagnosed as a trap the kernel raised, or, at a language event's breakpoint, as no signal.
        var sig = signal ?? new SignalInfo(languageEvent == LanguageEvent.None ? Signals.SIGTRAP : 0, Signals.SI_KERNEL);
        IReadOnlyList<MemoryRegion> regions = [];
        try
        {
            regions = await target.GetMemoryRegionsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TargetException)
        {
        }
        var stackRegion = regions.FirstOrDefault(r => r.Contains(g.Rsp));
        var backtrace = new List<BacktraceFrame>();
        try
        {
            var frames = await snapshot.BacktraceAsync(threadId, 64).ConfigureAwait(false);
            foreach (var f in frames)
            {
                backtrace.Add(new BacktraceFrame(f.Pc, f.Name,
                    f.Location is { } l ? new Traps.SourceLocation(l.File ?? "", (int)l.Line, (int)l.Column) : null, f.IsInlined, f.Module?.Path));
            }
        }
        catch (Exception e) when (e is EngineException or InvalidDataException)
        {
        }
        var context = new StopContext
        {
            Registers = registers,
            Signal = sig,
            Memory = target.Memory,
            Code = target.Memory,
            Symbols = TrapSymbols,
            Globals = TrapSymbols,
            Sources = TrapSymbols,
            Regions = regions,
            StackBounds = stackRegion is null ? null : new AddressRange(stackRegion.Start, stackRegion.End),
            Backtrace = backtrace,
            ProducerClangVersion = TrapSymbols.ProducerClangVersion(g.Rip),
            ProcessId = target.ProcessId,
            DebuggerBreakpoints = debuggerBreakpoints,
            Event = languageEvent,
            EarlierPanic = EarlierPanic(threadId),
        };
        try
        {
            return StopAnalysis.Diagnose(context);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException)
        {
            var name = Signals.Name(sig.Signal);
            return new StopDiagnosis { Kind = StopKind.Signal, Signal = sig.Signal, SignalName = name, Description = $"{name} (analysis failed: {e.Message})", ShortText = name };
        }
    }

    private StopDiagnosis? EarlierPanic(int threadId)
    {
        lock (_panics) return _panics.GetValueOrDefault(threadId);
    }

    /// <summary>Every trap site (ud2, ud1, a program's int3) of <paramref name="module"/>'s functions with its message, UBSan check
    /// or merged-check origins, at run-time addresses; built once per module from the file's code.</summary>
    public ModuleTrapCatalog GetTrapSiteCatalog(Module module)
    {
        lock (_catalogs)
        {
            if (_catalogs.TryGetValue(module, out var cached)) return cached;
        }
        var catalog = ModuleTrapCatalog.Build(module, TrapSymbols);
        lock (_catalogs) _catalogs[module] = catalog;
        return catalog;
    }
}
