using TrapDebugger.Adapter.Handlers.Exceptions;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>What the engine-facing handlers of one session remember between requests: the debuggee, the breakpoints
/// the client asked for (kept so that those sent before <c>launch</c> are applied when the process starts), the
/// exception filters and whether configuration is done. Each session holds one (<see cref="DebugSession.Engine"/>).</summary>
public sealed class EngineState
{
    /// <summary>Which process a fork leaves the session with, and whether every fork's end is said or only a crash.</summary>
    public sealed record ForkHandling(ForkFollow Follow, bool ReportAll);

    /// <summary>The state of a new <paramref name="session"/>.</summary>
    internal EngineState(DebugSession session) => Session = session;

    /// <summary>The session this state belongs to.</summary>
    public DebugSession Session { get; }

    /// <summary>The process being debugged, or null before launch/attach and after disconnect.</summary>
    public EngineDebuggee? Debuggee => Session.Debuggee as EngineDebuggee;

    /// <summary>Source breakpoints by file path, as last sent by the client, with the ids the client knows them by.</summary>
    public Dictionary<string, IReadOnlyList<(int Id, SourceBreakpointSpec Spec)>> SourceBreakpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>Function breakpoints as last sent by the client.</summary>
    public IReadOnlyList<(int Id, FunctionBreakpointSpec Spec)> FunctionBreakpoints { get; set; } = [];

    /// <summary>Instruction breakpoints as last sent by the client.</summary>
    public IReadOnlyList<(int Id, InstructionBreakpointSpec Spec)> InstructionBreakpoints { get; set; } = [];

    /// <summary>The memory each data id handed out by <c>dataBreakpointInfo</c> stands for, with the type that shows its values.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, DataTarget> DataTargets { get; } = new(StringComparer.Ordinal);

    /// <summary>The client's breakpoint id of each engine breakpoint (engine ids change when breakpoints are re-sent or re-applied at launch).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, int> ClientIdOfEngineId { get; } = new();

    /// <summary>Which kinds of trap and signal stop the program; the rest are passed to it.</summary>
    public ExceptionFilterSet Filters { get; } = new();

    /// <summary>How source paths translate between the debug information and the client (set by launch and attach).</summary>
    public SourcePaths Paths { get; set; } = SourcePaths.Identity;

    /// <summary>What a Debug Console line starts with to be a command (set by launch and attach).</summary>
    public string CommandPrefix { get; set; } = global::TrapDebugger.Adapter.Session.DebuggeeOptions.DefaultCommandPrefix;

    /// <summary>The Debug Console commands the configuration runs on its own.</summary>
    public StartupCommands StartupCommands { get; set; } = StartupCommands.None;

    /// <summary>The frame the console's <c>frame</c>, <c>up</c> and <c>down</c> commands selected.</summary>
    public DebugConsole.ConsoleSelection ConsoleSelection { get; } = new();

    /// <summary>True once the client sent <c>configurationDone</c>.</summary>
    public bool ConfigurationDone { get; set; }

    /// <summary>What the session does when the program forks (launch and attach's <c>followFork</c>, <c>forkEvents</c>).</summary>
    public ForkHandling Forks { get; set; } = new(ForkFollow.Parent, ReportAll: false);

    private int nextBreakpointId;

    /// <summary>A new client-facing breakpoint id.</summary>
    public int NewBreakpointId() => Interlocked.Increment(ref nextBreakpointId);

    /// <summary>The process, or a failure naming the request when there is none.</summary>
    /// <exception cref="RequestFailedException">No process is being debugged.</exception>
    public EngineDebuggee RequireDebuggee(string command) =>
        Debuggee ?? throw new RequestFailedException($"{command}: there is no process; launch or attach first.");
}
