using TrapDebugger.Adapter.Handlers.Breakpoints;
using TrapDebugger.Adapter.Handlers.Cores;
using TrapDebugger.Adapter.Handlers.Disassembly;
using TrapDebugger.Adapter.Handlers.Evaluate;
using TrapDebugger.Adapter.Handlers.Exceptions;
using TrapDebugger.Adapter.Handlers.Execution;
using TrapDebugger.Adapter.Handlers.Launch;
using TrapDebugger.Adapter.Handlers.Memory;
using TrapDebugger.Adapter.Handlers.Modules;
using TrapDebugger.Adapter.Handlers.Stack;
using TrapDebugger.Adapter.Handlers.Traps;
using TrapDebugger.Adapter.Handlers.Variables;
using TrapDebugger.Adapter.Session;

namespace TrapDebugger.Adapter.Handlers;

/// <summary>The handlers that drive the engine: launch and attach, breakpoints, run control, inspection and the trap extensions.</summary>
public static class EngineHandlers
{
    /// <summary>Registers every engine-facing handler with <paramref name="dispatcher"/>.</summary>
    public static void Register(RequestDispatcher dispatcher)
    {
        IRequestHandler[] handlers =
        [
            new LaunchHandler(), new AttachHandler(), new ConfigurationDoneHandler(),
            new SetBreakpointsHandler(), new SetFunctionBreakpointsHandler(), new SetInstructionBreakpointsHandler(),
            new DataBreakpointInfoHandler(), new SetDataBreakpointsHandler(),
            new SetExceptionBreakpointsHandler(), new ExceptionInfoHandler(),
            new ContinueHandler(), new PauseHandler(), new NextHandler(), new StepInHandler(), new StepOutHandler(), new ThreadsHandler(),
            new StackTraceHandler(), new ScopesHandler(), new VariablesHandler(), new SetVariableHandler(), new EvaluateHandler(), new CompletionsHandler(),
            new ModulesHandler(), new LoadedSourcesHandler(), new SourceHandler(),
            new DisassembleHandler(), new ReadMemoryHandler(), new WriteMemoryHandler(),
            new TrapSitesHandler(), new TrapOriginsHandler(), new SaveCoreHandler(),
        ];
        foreach (var handler in handlers)
            dispatcher.Register(handler);
    }
}
