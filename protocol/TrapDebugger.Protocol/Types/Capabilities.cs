namespace TrapDebugger.Protocol.Types;

/// <summary>What the adapter can do; sent in the <c>initialize</c> response. Absent means unsupported.</summary>
public sealed class Capabilities
{
    /// <summary>The adapter supports <c>configurationDone</c>.</summary>
    public bool? SupportsConfigurationDoneRequest { get; set; }

    /// <summary>The adapter supports function breakpoints.</summary>
    public bool? SupportsFunctionBreakpoints { get; set; }

    /// <summary>The adapter supports breakpoint conditions.</summary>
    public bool? SupportsConditionalBreakpoints { get; set; }

    /// <summary>The adapter supports hit conditions.</summary>
    public bool? SupportsHitConditionalBreakpoints { get; set; }

    /// <summary>The adapter supports <c>evaluate</c> in hover context without side effects.</summary>
    public bool? SupportsEvaluateForHovers { get; set; }

    /// <summary>Exception filters shown in the breakpoints view.</summary>
    public List<ExceptionBreakpointsFilter>? ExceptionBreakpointFilters { get; set; }

    /// <summary>The adapter supports stepping back.</summary>
    public bool? SupportsStepBack { get; set; }

    /// <summary>The adapter supports <c>setVariable</c>.</summary>
    public bool? SupportsSetVariable { get; set; }

    /// <summary>The adapter supports <c>restartFrame</c>.</summary>
    public bool? SupportsRestartFrame { get; set; }

    /// <summary>The adapter supports <c>gotoTargets</c>.</summary>
    public bool? SupportsGotoTargetsRequest { get; set; }

    /// <summary>The adapter supports <c>stepInTargets</c>.</summary>
    public bool? SupportsStepInTargetsRequest { get; set; }

    /// <summary>The adapter supports <c>completions</c>.</summary>
    public bool? SupportsCompletionsRequest { get; set; }

    /// <summary>Characters that trigger completion in the REPL.</summary>
    public List<string>? CompletionTriggerCharacters { get; set; }

    /// <summary>The adapter supports <c>modules</c>.</summary>
    public bool? SupportsModulesRequest { get; set; }

    /// <summary>Extra columns of the modules view.</summary>
    public List<ColumnDescriptor>? AdditionalModuleColumns { get; set; }

    /// <summary>Checksum algorithms the adapter understands.</summary>
    public List<string>? SupportedChecksumAlgorithms { get; set; }

    /// <summary>The adapter supports <c>restart</c>.</summary>
    public bool? SupportsRestartRequest { get; set; }

    /// <summary>The adapter supports <c>exceptionOptions</c> in <c>setExceptionBreakpoints</c>.</summary>
    public bool? SupportsExceptionOptions { get; set; }

    /// <summary>The adapter supports <c>format</c> on value requests.</summary>
    public bool? SupportsValueFormattingOptions { get; set; }

    /// <summary>The adapter supports <c>exceptionInfo</c>.</summary>
    public bool? SupportsExceptionInfoRequest { get; set; }

    /// <summary>The adapter honours <c>terminateDebuggee</c> on <c>disconnect</c>.</summary>
    public bool? SupportTerminateDebuggee { get; set; }

    /// <summary>The adapter honours <c>suspendDebuggee</c> on <c>disconnect</c>.</summary>
    public bool? SupportSuspendDebuggee { get; set; }

    /// <summary>The adapter supports paging in <c>stackTrace</c>.</summary>
    public bool? SupportsDelayedStackTraceLoading { get; set; }

    /// <summary>The adapter supports <c>loadedSources</c>.</summary>
    public bool? SupportsLoadedSourcesRequest { get; set; }

    /// <summary>The adapter supports log points.</summary>
    public bool? SupportsLogPoints { get; set; }

    /// <summary>The adapter supports <c>terminateThreads</c>.</summary>
    public bool? SupportsTerminateThreadsRequest { get; set; }

    /// <summary>The adapter supports <c>setExpression</c>.</summary>
    public bool? SupportsSetExpression { get; set; }

    /// <summary>The adapter supports <c>terminate</c>.</summary>
    public bool? SupportsTerminateRequest { get; set; }

    /// <summary>The adapter supports data breakpoints.</summary>
    public bool? SupportsDataBreakpoints { get; set; }

    /// <summary>The adapter supports <c>readMemory</c>.</summary>
    public bool? SupportsReadMemoryRequest { get; set; }

    /// <summary>The adapter supports <c>writeMemory</c>.</summary>
    public bool? SupportsWriteMemoryRequest { get; set; }

    /// <summary>The adapter supports <c>disassemble</c>.</summary>
    public bool? SupportsDisassembleRequest { get; set; }

    /// <summary>The adapter supports <c>cancel</c>.</summary>
    public bool? SupportsCancelRequest { get; set; }

    /// <summary>The adapter supports <c>breakpointLocations</c>.</summary>
    public bool? SupportsBreakpointLocationsRequest { get; set; }

    /// <summary>The adapter supports the <c>clipboard</c> evaluate context.</summary>
    public bool? SupportsClipboardContext { get; set; }

    /// <summary>The adapter supports <c>granularity</c> on stepping requests.</summary>
    public bool? SupportsSteppingGranularity { get; set; }

    /// <summary>The adapter supports instruction breakpoints.</summary>
    public bool? SupportsInstructionBreakpoints { get; set; }

    /// <summary>The adapter supports <c>filterOptions</c> in <c>setExceptionBreakpoints</c>.</summary>
    public bool? SupportsExceptionFilterOptions { get; set; }

    /// <summary>The adapter supports <c>singleThread</c> on execution requests.</summary>
    public bool? SupportsSingleThreadExecutionRequests { get; set; }

    /// <summary>The adapter supports <c>asAddress</c> and <c>bytes</c> in <c>dataBreakpointInfo</c>.</summary>
    public bool? SupportsDataBreakpointBytes { get; set; }

    /// <summary>Breakpoint modes the adapter offers.</summary>
    public List<BreakpointMode>? BreakpointModes { get; set; }

    /// <summary>The adapter's output may contain ANSI escape sequences.</summary>
    public bool? SupportsANSIStyling { get; set; }
}
