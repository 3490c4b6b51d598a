using System.Globalization;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Calls;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Engine.Values;
using TrapDebugger.Engine.Variables;
using TrapDebugger.Traps;

namespace TrapDebugger.Engine.Process;

/// <summary>A process under the debugger: run control (continue, pause, step), breakpoints, stacks, variables,
/// expressions and stop diagnosis, in the all-stop model. This is the API the DAP adapter and the CLI drive.</summary>
/// <remarks>
/// <para>It drives an <see cref="ITarget"/> (a live process, a core file, a remote process) and never asks which kind.
/// The work is done by one part per responsibility: <see cref="RunControl"/> (whether the process runs, the event loop,
/// what a stop means), <see cref="Stepper"/>, <see cref="BreakpointTable"/> (code and data breakpoints),
/// <see cref="StopSnapshot"/> (frames, variable references and scopes of the current stop, discarded on resume),
/// <see cref="StopDiagnoser"/> and <see cref="ModuleTracker"/>.</para>
/// <para>Run-control methods return as soon as the process is resumed; the outcome arrives as a <see cref="StoppedEvent"/>
/// (or <see cref="ExitedEvent"/>) on <see cref="Event"/>. Inspection methods (stack, variables, evaluate) require the
/// process to be stopped and are answered from the state of that stop; ids they hand out (frame ids, variable
/// references) are valid until the next resume.</para>
/// </remarks>
public sealed class TargetProcess : IAsyncDisposable
{
    /// <summary>The most instructions one source-level step executes one at a time before giving up and stopping.</summary>
    public const int MaxStepInstructions = Stepper.MaxStepInstructions;

    /// <summary>How many data breakpoints x86-64 can hold at once: one per debug address register DR0-DR3.</summary>
    public const int MaxDataBreakpoints = BreakpointTable.MaxDataBreakpoints;

    private readonly ITarget _target;
    private readonly BreakpointTable _breakpoints;
    private readonly ModuleTracker _modules;
    private readonly StopDiagnoser _diagnoser;
    private readonly DebuggerCheckWatch _checks;
    private readonly RunControl _run;
    private readonly Stepper _stepper;
    private readonly FunctionCalls _calls;
    private readonly SymbolPreloader _preloader = new();

    private TargetProcess(ITarget target, string? programPath)
    {
        _target = target;
        Target = new Target(target.OpenFile);
        var symbolizer = new FrameSymbolizer(Target);
        // The table asks whether the process has ended only once it is in use, after the run control below exists.
        _breakpoints = new BreakpointTable(target, Target, symbolizer, Raise, () => _run!.HasExited);
        _checks = new DebuggerCheckWatch(target, Target);
        _modules = new ModuleTracker(target, Target, _breakpoints, _checks, Raise, programPath ?? target.ExecutablePath);
        _diagnoser = new StopDiagnoser(target, Target);
        _run = new RunControl(target, Target, symbolizer, _breakpoints, _diagnoser, _modules, _checks, Raise);
        _stepper = new Stepper(_run, target, Target, _breakpoints, Raise);
        _calls = new FunctionCalls(target, Target, _run);
        _run.FunctionCall = _calls.Call;
    }

    /// <summary>Raised for every stop, resume, thread, module, output and exit; handlers run on the engine's event thread and must not block.</summary>
    public event Action<DebugEvent>? Event;

    /// <summary>The modules of the process.</summary>
    public Target Target { get; }

    /// <summary>Reads the debug information of <paramref name="modules"/> on a thread of its own, ahead of the stops that will
    /// need it; the task completes when they are read (or when this process is disposed, which waits for the reading).</summary>
    public Task PreloadSymbolsAsync(IEnumerable<Module> modules) => _preloader.PreloadAsync(modules);

    /// <summary>The process id.</summary>
    public int ProcessId => _target.ProcessId;

    /// <summary>The path of the program (the new one after an exec).</summary>
    public string? ProgramPath => _modules.ProgramPath;

    /// <summary>True while the process is stopped and can be inspected.</summary>
    public bool IsStopped => _run.IsStopped;

    /// <summary>Why the process can be inspected but not run or changed (a core file), or null when it can run.</summary>
    public string? ReadOnlyReason => _target.ReadOnlyReason;

    /// <summary>True once the process has exited, been killed or detached.</summary>
    public bool HasExited => _run.HasExited;

    /// <summary>The last stop, or null while running.</summary>
    public StopInfo? LastStop => _run.LastStop;

    /// <summary>The program's stdout when launched with piped output.</summary>
    public Stream? StandardOutput => _target.StandardOutput;

    /// <summary>The program's stderr when launched with piped output.</summary>
    public Stream? StandardError => _target.StandardError;

    /// <summary>The program's stdin when launched with a piped input.</summary>
    public Stream? StandardInput => _target.StandardInput;

    /// <summary>The memory of the process.</summary>
    public ITargetMemory Memory => _target.Memory;

    /// <summary>Starts <paramref name="options"/>.Program on <paramref name="platform"/>, stopped at its entry point (after
    /// the dynamic loader, before any of its code).</summary>
    /// <exception cref="EngineException">The program cannot be started or traced; the message says why.</exception>
    public static async Task<TargetProcess> LaunchAsync(ITargetPlatform platform, LaunchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(options);
        ITarget target;
        try
        {
            target = await platform.LaunchAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TargetException or IOException or UnauthorizedAccessException or FileNotFoundException or ArgumentException)
        {
            throw new EngineException($"cannot launch '{options.Program}': {e.Message}", e);
        }
        var process = new TargetProcess(target, Path.GetFullPath(target.ProcessId > 0 ? target.ExecutablePath ?? options.Program : options.Program));
        await process.InitializeAsync().ConfigureAwait(false);
        return process;
    }

    /// <summary>Attaches to process <paramref name="pid"/> of <paramref name="platform"/> and stops every thread.</summary>
    /// <exception cref="EngineException">The process does not exist or cannot be traced; the message says why and what to do.</exception>
    public static async Task<TargetProcess> AttachAsync(ITargetPlatform platform, int pid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ITarget target;
        try
        {
            target = await platform.AttachAsync(pid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TargetException or IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"cannot attach to process {pid}: {e.Message}", e);
        }
        var process = new TargetProcess(target, null);
        await process.InitializeAsync().ConfigureAwait(false);
        return process;
    }

    /// <summary>Debugs <paramref name="target"/> (a core file, or a target made elsewhere), which this process then owns;
    /// its first event is the stop it starts in.</summary>
    /// <exception cref="EngineException">The target ended before its first stop.</exception>
    public static async Task<TargetProcess> OpenAsync(ITarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var process = new TargetProcess(target, null);
        await process.InitializeAsync().ConfigureAwait(false);
        return process;
    }

    private async Task InitializeAsync()
    {
        StopDiagnoser.PrepareAnalysis();
        await _modules.AddProgramAsync().ConfigureAwait(false);
        var first = await _run.ReadFirstStopAsync().ConfigureAwait(false);
        _modules.AddLoaded();
        await _run.SetFirstStopAsync(first).ConfigureAwait(false);
    }

    private void Raise(DebugEvent e)
    {
        try
        {
            Event?.Invoke(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing client handler must not break the engine's event loop.
        }
    }

    /// <summary>Reports the initial stop as a <see cref="StoppedEvent"/> (for stopOnEntry and attach).</summary>
    public void ReportInitialStop() => _run.ReportInitialStop();

    /// <summary>The threads of the process.</summary>
    public IReadOnlyList<ThreadInfo> Threads
    {
        get
        {
            var result = new List<ThreadInfo>();
            foreach (var tid in _target.ThreadIds)
            {
                var name = _target.ThreadName(tid);
                result.Add(new ThreadInfo(tid, name ?? $"thread {tid}") { IsNamed = name is not null });
            }
            return result;
        }
    }

    /// <summary>Resumes every thread; the next stop arrives as a <see cref="StoppedEvent"/>.</summary>
    public Task ContinueAsync() => _run.ContinueAsync();

    /// <summary>Stops every thread; the stop arrives as a <see cref="StoppedEvent"/> with cause <see cref="StopCause.Pause"/>.</summary>
    public Task PauseAsync() => _run.PauseAsync();

    /// <summary>Kills the process.</summary>
    public Task TerminateAsync() => _run.TerminateAsync();

    /// <summary>From now on, at each fork, follows <paramref name="follow"/> and keeps the other process: raised as a
    /// <see cref="ForkedProcessEvent"/> to be debugged too, or, with <paramref name="detachOnFork"/>, watched without
    /// breakpoints for a crash (gdb's follow-fork-mode and detach-on-fork). Without this call, children are let go.</summary>
    /// <exception cref="EngineException">The target cannot follow forks.</exception>
    public Task SetForkFollowingAsync(ForkFollow follow, bool detachOnFork) => _run.SetForkFollowingAsync(follow, detachOnFork);

    /// <summary>Removes every breakpoint and data breakpoint and lets the process run on untraced, or, with
    /// <paramref name="keepStopped"/>, leaves it in a job-control stop (SIGSTOP) until something sends it SIGCONT.</summary>
    public Task DetachAsync(bool keepStopped = false) => _run.DetachAsync(keepStopped);

    /// <summary>Waits until the current run (continue or step) has ended in a stop or exit.</summary>
    public Task WaitForStopAsync() => _run.WaitForStopAsync();

    /// <summary>The general registers of stopped thread <paramref name="threadId"/> (its innermost frame), numbered as DWARF numbers them.</summary>
    public Task<RegisterSet> GetRegistersAsync(int threadId)
    {
        _run.RequireStopped();
        return _run.Snapshot.ReadRegistersAsync(threadId);
    }

    /// <summary>Every user breakpoint.</summary>
    public IReadOnlyList<Breakpoint> Breakpoints => _breakpoints.Breakpoints;

    /// <summary>The addresses where user breakpoints are inserted.</summary>
    public IReadOnlySet<ulong> BreakpointAddresses => _breakpoints.Addresses;

    /// <summary>Replaces the breakpoints of source file <paramref name="file"/> with <paramref name="specs"/> (DAP setBreakpoints semantics).</summary>
    public Task<IReadOnlyList<Breakpoint>> SetSourceBreakpointsAsync(string file, IReadOnlyList<SourceBreakpointSpec> specs) =>
        _breakpoints.SetSourceBreakpointsAsync(file, specs);

    /// <summary>Replaces every function breakpoint with <paramref name="specs"/> (DAP setFunctionBreakpoints semantics).</summary>
    public Task<IReadOnlyList<Breakpoint>> SetFunctionBreakpointsAsync(IReadOnlyList<FunctionBreakpointSpec> specs) =>
        _breakpoints.SetFunctionBreakpointsAsync(specs);

    /// <summary>Replaces every instruction breakpoint with <paramref name="specs"/> (DAP setInstructionBreakpoints semantics).</summary>
    public Task<IReadOnlyList<Breakpoint>> SetInstructionBreakpointsAsync(IReadOnlyList<InstructionBreakpointSpec> specs) =>
        _breakpoints.SetInstructionBreakpointsAsync(specs);

    /// <summary>Replaces the language-event breakpoints (Rust's panic entry, <c>__cxa_throw</c>) with one for each of <paramref name="events"/>.</summary>
    /// <remarks>A hit is an exception stop diagnosed from the entry's arguments; the breakpoints resolve in every module loaded
    /// now or later, like function breakpoints, and never show in the client's breakpoint list.</remarks>
    public Task SetLanguageEventsAsync(IReadOnlyCollection<LanguageEvent> events) => _breakpoints.SetLanguageEventsAsync(events);

    /// <summary>Every data breakpoint, set or not, in the order they were requested.</summary>
    public IReadOnlyList<DataBreakpoint> DataBreakpoints => _breakpoints.DataBreakpoints;

    /// <summary>Replaces every data breakpoint with <paramref name="specs"/> (DAP setDataBreakpoints semantics). Each
    /// takes one debug register; past <see cref="MaxDataBreakpoints"/> the rest are returned unset with a message.</summary>
    /// <exception cref="EngineException">The process is running or has exited.</exception>
    public Task<IReadOnlyList<DataBreakpoint>> SetDataBreakpointsAsync(IReadOnlyList<DataBreakpointSpec> specs)
    {
        _run.RequireStopped();
        return _breakpoints.SetDataBreakpointsAsync(specs);
    }

    /// <summary>The memory of the object <paramref name="expression"/> names in frame <paramref name="frameId"/> (or the
    /// stopped thread's innermost frame when null), checked against what a debug register can watch.</summary>
    /// <exception cref="ExpressionException">The expression is invalid, or its value has no address a debug register can watch; the message says why.</exception>
    public async Task<DataTarget> ResolveDataTargetAsync(string expression, int? frameId)
    {
        var scope = await ScopeOfFrameOrTopAsync(frameId).ConfigureAwait(false);
        var (value, _) = Evaluator.Evaluate(expression, scope);
        return DataTarget.Of(expression.Trim(), value);
    }

    /// <summary>The memory of variable <paramref name="name"/> under <paramref name="variablesReference"/> (a scope or an
    /// expanded value of the current stop), checked against what a debug register can watch.</summary>
    /// <exception cref="EngineException">The reference is not valid at this stop.</exception>
    /// <exception cref="ExpressionException">There is no such variable, or it has no address a debug register can watch.</exception>
    public DataTarget ResolveDataTarget(int variablesReference, string name)
    {
        _run.RequireStopped();
        var (value, expression) = _run.Snapshot.FindVariable(variablesReference, name);
        return DataTarget.Of(expression, value);
    }

    /// <summary>The <paramref name="size"/> bytes at the address <paramref name="addressExpression"/> evaluates to (a
    /// number or a pointer), in frame <paramref name="frameId"/> when given.</summary>
    /// <exception cref="ExpressionException">The expression does not give an address, or the range is not watchable.</exception>
    public async Task<DataTarget> ResolveDataAddressAsync(string addressExpression, int size, int? frameId)
    {
        ulong address;
        var text = addressExpression.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var literal))
        {
            // A plain address needs no frame: the client may ask before any frame was listed.
            address = literal;
        }
        else
        {
            var scope = await ScopeOfFrameOrTopAsync(frameId).ConfigureAwait(false);
            var (value, _) = Evaluator.Evaluate(text, scope);
            var canonical = value.Canonical;
            if (canonical is not Dwarf.Types.PointerType && !DebugValue.IsIntegral(canonical))
                throw new ExpressionException($"'{text}' is a {value.Type.DisplayName}, not an address");
            address = value.GetRawInteger(Memory);
        }
        DataTarget.RequireWatchable(text, address, size);
        return new DataTarget(address, size, text, null);
    }

    /// <summary>How many single-instruction steps (PTRACE_SINGLESTEP) the engine has issued for steps so far: what a
    /// source-level step costs, since each one is a round trip through the kernel.</summary>
    public long InstructionStepCount => _stepper.InstructionStepCount;

    /// <summary>Steps thread <paramref name="threadId"/> (others stay stopped while single-stepping, and run while a call is stepped over); the end arrives as a <see cref="StoppedEvent"/>.</summary>
    /// <param name="threadId">The thread to step.</param>
    /// <param name="kind">The kind of step.</param>
    /// <param name="frameId">The selected frame (for step over/out from a caller or inlined frame); the innermost frame when null.</param>
    public Task StepAsync(int threadId, StepKind kind, int? frameId = null) => _stepper.StepAsync(threadId, kind, frameId);

    /// <summary>Runs until <paramref name="file"/>:<paramref name="line"/> is reached by any thread (DAP goto-like "run to cursor").</summary>
    public Task RunToLineAsync(string file, int line) => _stepper.RunToLineAsync(file, line);

    /// <summary>Runs until any thread reaches one of <paramref name="addresses"/>.</summary>
    public Task RunToAddressesAsync(IReadOnlyList<ulong> addresses) => _stepper.RunToAddressesAsync(addresses);

    /// <summary>The frames of thread <paramref name="threadId"/> from <paramref name="start"/>, at most <paramref name="count"/>, innermost first, with
    /// inlined calls as frames of their own; and the total number of frames.</summary>
    /// <exception cref="EngineException">The process is running or the thread does not exist.</exception>
    public Task<(IReadOnlyList<StackFrame> Frames, int TotalFrames)> GetStackTraceAsync(int threadId, int start = 0, int count = int.MaxValue)
    {
        _run.RequireStopped();
        return _run.Snapshot.GetStackTraceAsync(threadId, start, count);
    }

    /// <summary>Why the unwinder stopped for <paramref name="threadId"/> (e.g. "reached the function that starts the stack"), once its stack was read.</summary>
    public string? UnwindStopReason(int threadId) => _run.Snapshot.UnwindStopReason(threadId);

    /// <summary>The frame with id <paramref name="frameId"/> from the current stop.</summary>
    /// <exception cref="EngineException">The id is unknown or from an earlier stop.</exception>
    public StackFrame GetFrame(int frameId)
    {
        _run.RequireStopped();
        return _run.Snapshot.GetFrame(frameId);
    }

    /// <summary>The evaluation scope of <paramref name="frame"/> (cached for the current stop).</summary>
    public Task<FrameScope> GetScopeAsync(StackFrame frame) => _run.Snapshot.GetScopeAsync(frame);

    /// <summary>The scopes of frame <paramref name="frameId"/>: Locals (arguments and locals), Registers, Globals.</summary>
    public Task<IReadOnlyList<ScopeInfo>> GetScopesAsync(int frameId)
    {
        _run.RequireStopped();
        return _run.Snapshot.GetScopesAsync(frameId);
    }

    /// <summary>The rows under <paramref name="variablesReference"/> (a scope or an expandable value), from <paramref name="start"/>, at most <paramref name="count"/>,
    /// scalars shown in <paramref name="format"/>.</summary>
    public IReadOnlyList<VariableInfo> GetVariables(int variablesReference, int start = 0, int count = int.MaxValue, ValueFormat format = ValueFormat.Natural)
    {
        _run.RequireStopped();
        return _run.Snapshot.GetVariables(variablesReference, start, count, format);
    }

    /// <summary>Evaluates <paramref name="expression"/> in frame <paramref name="frameId"/> (or the stopped thread's innermost frame when null) and describes the result,
    /// in <paramref name="format"/> unless the expression ends in a format suffix of its own.</summary>
    /// <param name="expression">The expression (with an optional format suffix).</param>
    /// <param name="frameId">The frame, or null for the stopped thread's innermost one.</param>
    /// <param name="format">The format of scalars.</param>
    /// <param name="allowSideEffects">False refuses assignments and function calls (a hover must not change the program).</param>
    /// <exception cref="ExpressionException">The expression is invalid or cannot be evaluated; the message says why.</exception>
    public Task<VariableInfo> EvaluateAsync(string expression, int? frameId, ValueFormat format = ValueFormat.Natural, bool allowSideEffects = true)
    {
        _run.RequireStopped();
        return _run.Snapshot.EvaluateAsync(expression, frameId, _run.LastStop?.ThreadId, format, allowSideEffects);
    }

    /// <summary>A number that changes whenever the debugger changes the stopped program's memory or registers (an
    /// assignment, a function call, setVariable, writeMemory): what a client shows of this stop must then be read again.</summary>
    public long StateVersion => _target.Memory.Version;

    /// <summary>How long a function called from an expression may run before it is interrupted and the thread restored.</summary>
    public TimeSpan FunctionCallTimeout
    {
        get => _calls.Timeout;
        set => _calls.Timeout = value;
    }

    /// <summary>Sets the variable <paramref name="name"/> under <paramref name="variablesReference"/> to the value of <paramref name="valueExpression"/>; returns its new row.</summary>
    /// <exception cref="ExpressionException">The variable cannot be set (not a scalar or pointer, optimized out) or the value is invalid.</exception>
    public VariableInfo SetVariable(int variablesReference, string name, string valueExpression, ValueFormat format = ValueFormat.Natural)
    {
        _run.RequireStopped();
        return _run.Snapshot.SetVariable(variablesReference, name, valueExpression, format);
    }

    /// <summary>The formal parameters of frame <paramref name="frameId"/> in declaration order, values in
    /// <paramref name="format"/>: what a client shows after a function's name in the call stack.</summary>
    /// <exception cref="EngineException">The frame is not valid at this stop.</exception>
    public Task<IReadOnlyList<FrameParameter>> GetFrameParametersAsync(int frameId, ValueFormat format = ValueFormat.Natural)
    {
        _run.RequireStopped();
        return _run.Snapshot.GetFrameParametersAsync(frameId, format);
    }

    /// <summary>The scope of frame <paramref name="frameId"/>, or of the stopped thread's innermost frame when null.</summary>
    private Task<FrameScope> ScopeOfFrameOrTopAsync(int? frameId)
    {
        _run.RequireStopped();
        return _run.Snapshot.ScopeOfFrameOrTopAsync(frameId, _run.LastStop?.ThreadId);
    }

    /// <summary>The trap analysis's symbol view of this process.</summary>
    public TargetSymbolizer TrapSymbols => _diagnoser.TrapSymbols;

    /// <summary>Diagnoses why thread <paramref name="threadId"/> is stopped with <paramref name="signal"/> (registers, code, memory, maps, backtrace).</summary>
    public Task<StopDiagnosis> DiagnoseThreadAsync(int threadId, SignalInfo? signal, LanguageEvent languageEvent = LanguageEvent.None) =>
        _diagnoser.DiagnoseThreadAsync(threadId, signal, _run.Snapshot, _breakpoints.Addresses, languageEvent);

    /// <summary>The program's calls of <c>ptrace(PTRACE_TRACEME)</c> so far, oldest first.</summary>
    public IReadOnlyList<DebuggerCheck> DebuggerChecks => _checks.Checks;

    /// <summary>One sentence saying the program checked for a debugger and where, or null when it did not.</summary>
    public string? DescribeDebuggerCheck() => _checks.Describe();

    /// <summary>Every trap site (ud2, ud1, a program's int3) of <paramref name="module"/>'s functions with its message, UBSan check
    /// or merged-check origins, at run-time addresses; built once per module from the file's code.</summary>
    public ModuleTrapCatalog GetTrapSiteCatalog(Module module) => _diagnoser.GetTrapSiteCatalog(module);

    /// <summary>The diagnosis of the last stop, when it was a signal.</summary>
    public StopDiagnosis? LastDiagnosis => LastStop?.Diagnosis;

    /// <summary>Writes a core file of the stopped process to <paramref name="path"/>: every thread's registers, the signal
    /// of the stop, and the memory <see cref="Cores.CoreMemorySelection"/> keeps (stacks, data, ELF headers, code around
    /// each pc; the rest of the program's files is left to them).</summary>
    /// <exception cref="EngineException">The process is running or has ended, or the file cannot be written; the message says why.</exception>
    public async Task<Cores.CoreWriteResult> SaveCoreAsync(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _run.RequireStopped();
        var stop = _run.LastStop;
        try
        {
            var core = await Cores.TargetCapture.DescribeAsync(_target, stop?.ThreadId ?? _run.LastThreadId, stop?.Signal).ConfigureAwait(false);
            return await Task.Run(() => Cores.CoreWriter.Write(core, path)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TargetException)
        {
            throw new EngineException($"cannot write a core to {path}: {e.Message.TrimEnd('.')}", e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // The modules' files are memory-mapped: the preloader finishes with them before they are closed.
        var preloaderStopped = _preloader.DisposeAsync();
        if (!_run.HasExited)
        {
            try
            {
                await TerminateAsync().ConfigureAwait(false);
            }
            catch (EngineException)
            {
            }
        }
        await _target.DisposeAsync().ConfigureAwait(false);
        await preloaderStopped.ConfigureAwait(false);
        Target.Dispose();
        _modules.DisposeRetired();
    }
}
