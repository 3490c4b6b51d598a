using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Events;
using TrapDebugger.Native.Events;
using TrapDebugger.Native.Proc;
using TrapDebugger.Traps;

namespace TrapDebugger.Engine.Process;

public sealed partial class TargetProcess
{
    private TargetSymbolizer? _trapSymbols;

    /// <summary>The trap analysis's symbol view of this process.</summary>
    public TargetSymbolizer TrapSymbols => _trapSymbols ??= new TargetSymbolizer(Target);

    private static int _analysisPrepared;

    /// <summary>Builds the trap analysis's decoder tables on a worker thread, once per debugger process, while the
    /// program is being attached or launched (see <see cref="StopAnalysis.Prepare"/>).</summary>
    private static void PrepareAnalysis()
    {
        if (Interlocked.Exchange(ref _analysisPrepared, 1) == 0)
            _ = Task.Run(StopAnalysis.Prepare);
    }

    // The last Rust panic each thread reported: a panic=abort panic's SIGABRT follows it, and its message is no longer in reach.
    private readonly Dictionary<int, StopDiagnosis> _panics = [];

    /// <summary>Runs the trap and fault analysis for a signal stop (or a language event's breakpoint) and builds the stop to report.</summary>
    private async Task<StopInfo> DiagnoseStopAsync(ProcessStopped stop, LanguageEvent languageEvent = LanguageEvent.None)
    {
        var diagnosis = await DiagnoseThreadAsync(stop.ThreadId, stop.Signal, languageEvent).ConfigureAwait(false);
        if (diagnosis.Kind == StopKind.RustPanic && languageEvent == LanguageEvent.RustPanic)
        {
            lock (_panics) _panics[stop.ThreadId] = diagnosis;
        }
        var fate = languageEvent == LanguageEvent.None && stop.Signal is { } signal ? SignalFates.Of(ProcessId, stop.ThreadId, signal) : SignalFate.NotASignal;
        return new StopInfo(stop.ThreadId, StopCause.Exception, diagnosis.Description, [], diagnosis, diagnosis.Landing?.FrameIndex ?? 0)
        {
            Fate = fate,
            Event = languageEvent,
        };
    }

    /// <summary>The language event whose breakpoint is at <paramref name="address"/>.</summary>
    private LanguageEvent LanguageEventAt(ulong address)
    {
        lock (_breakpointGate)
        {
            return _sites.TryGetValue(address, out var list) && list.FirstOrDefault(b => b.Kind == Engine.Breakpoints.BreakpointKind.LanguageEvent) is { } b
                ? b.Event
                : LanguageEvent.None;
        }
    }

    /// <summary>Diagnoses why thread <paramref name="threadId"/> is stopped with <paramref name="signal"/> (registers, code, memory, maps, backtrace).</summary>
    public async Task<StopDiagnosis> DiagnoseThreadAsync(int threadId, Native.Events.SignalInfo? signal, LanguageEvent languageEvent = LanguageEvent.None)
    {
        var g = await _native.GetRegistersAsync(threadId).ConfigureAwait(false);
        var registers = new RegisterState
        {
            Rax = g.Rax, Rbx = g.Rbx, Rcx = g.Rcx, Rdx = g.Rdx, Rsi = g.Rsi, Rdi = g.Rdi, Rbp = g.Rbp, Rsp = g.Rsp,
            R8 = g.R8, R9 = g.R9, R10 = g.R10, R11 = g.R11, R12 = g.R12, R13 = g.R13, R14 = g.R14, R15 = g.R15,
            Rip = g.Rip, Rflags = g.Eflags, FsBase = g.FsBase, GsBase = g.GsBase,
        };
        var sig = signal is { } s
            ? new Traps.SignalInfo(s.Signo, s.Code, s.Address, s.IsSentByProcess ? s.SenderPid : null, s.IsSentByProcess ? s.SenderUid : null)
            : new Traps.SignalInfo(languageEvent == LanguageEvent.None ? 5 : 0, 0x80);
        var regions = new List<Traps.MemoryRegion>();
        try
        {
            foreach (var r in ProcFs.Maps(ProcessId))
                regions.Add(new Traps.MemoryRegion(r.Start, r.End, r.IsReadable, r.IsWritable, r.IsExecutable, r.Permissions.Length > 3 && r.Permissions[3] == 'p', r.Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        var stackRegion = regions.FirstOrDefault(r => r.Contains(g.Rsp));
        var backtrace = new List<BacktraceFrame>();
        try
        {
            var (frames, _) = await GetStackTraceInternalAsync(threadId, 64).ConfigureAwait(false);
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
            Memory = _memory,
            Code = _memory,
            Symbols = TrapSymbols,
            Globals = TrapSymbols,
            Sources = TrapSymbols,
            Regions = regions,
            StackBounds = stackRegion is null ? null : new AddressRange(stackRegion.Start, stackRegion.End),
            Backtrace = backtrace,
            ProducerClangVersion = TrapSymbols.ProducerClangVersion(g.Rip),
            ProcessId = ProcessId,
            DebuggerBreakpoints = BreakpointAddresses,
            Event = languageEvent,
            EarlierPanic = EarlierPanic(threadId),
        };
        try
        {
            return StopAnalysis.Diagnose(context);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException)
        {
            var name = Native.Events.SignalNames.Of(sig.Signal);
            return new StopDiagnosis { Kind = StopKind.Signal, Signal = sig.Signal, SignalName = name, Description = $"{name} (analysis failed: {e.Message})", ShortText = name };
        }
    }

    private StopDiagnosis? EarlierPanic(int threadId)
    {
        lock (_panics) return _panics.GetValueOrDefault(threadId);
    }

    private readonly Dictionary<Model.Module, ModuleTrapCatalog> _catalogs = [];

    /// <summary>Every trap site (ud2, ud1, a program's int3) of <paramref name="module"/>'s functions with its message, UBSan check
    /// or merged-check origins, at run-time addresses; built once per module from the file's code.</summary>
    public ModuleTrapCatalog GetTrapSiteCatalog(Model.Module module)
    {
        lock (_catalogs)
        {
            if (_catalogs.TryGetValue(module, out var cached)) return cached;
        }
        var catalog = ModuleTrapCatalog.Build(module, TrapSymbols);
        lock (_catalogs) _catalogs[module] = catalog;
        return catalog;
    }

    /// <summary>The diagnosis of the last stop, when it was a signal.</summary>
    public StopDiagnosis? LastDiagnosis => LastStop?.Diagnosis;

    private async Task<(IReadOnlyList<Frames.StackFrame> Frames, int Total)> GetStackTraceInternalAsync(int threadId, int count)
    {
        var stack = await StackOfAsync(threadId).ConfigureAwait(false);
        lock (_stacks)
        {
            while (stack.Frames.Count < count && stack.HasPhysical(stack.NextPhysical))
            {
                var expanded = _symbolizer.Expand(stack.PhysicalAt(stack.NextPhysical++), threadId, stack.Frames.Count, () => _nextFrameId++);
                foreach (var f in expanded)
                {
                    stack.Frames.Add(f);
                    _framesById[f.Id] = f;
                }
            }
            return (stack.Frames.Take(count).ToList(), stack.Frames.Count + stack.RemainingEstimate);
        }
    }
}
