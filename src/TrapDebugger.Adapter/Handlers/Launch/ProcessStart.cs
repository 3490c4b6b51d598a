using TrapDebugger.Adapter.Handlers.Breakpoints;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Launch;

/// <summary>What launch and attach share once the engine has a stopped process: bind it to the session, apply the
/// breakpoints sent so far, announce the process, and run it when configuration is done.</summary>
public static class ProcessStart
{
    /// <summary>Makes <paramref name="process"/> the session's debuggee; the process event and the first run follow the response.</summary>
    public static async Task BindAsync(RequestContext context, EngineState state, TargetProcess process, bool launched, bool stopOnEntry,
        ProgramIo.ProgramConsole? console, bool terminatesByDefault = true)
    {
        if (!launched)
        {
            // The attached process waits stopped for configurationDone anyway: read the libraries' debug information
            // now (as lldb does when it attaches) rather than in the middle of the first trap's backtrace.
            await process.PreloadSymbolsAsync(process.Target.Modules).WaitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        var debuggee = new EngineDebuggee(state, process, launched, stopOnEntry, console, terminatesByDefault);
        state.Session.Debuggee = debuggee;
        try
        {
            await process.SetForkFollowingAsync(state.Forks.Follow, detachOnFork: true).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            await context.Connection.SendOutputAsync(OutputCategories.Console, $"trapdbg: {e.Message}\n").ConfigureAwait(false);
        }
        await BreakpointBinding.ApplyAllAsync(state, process).ConfigureAwait(false);
        await state.Filters.ApplyAsync(process).ConfigureAwait(false);
        context.AfterResponse(async () =>
        {
            await context.Connection.SendEventAsync(EventNames.Process, new ProcessEventBody
            {
                Name = process.ProgramPath ?? $"process {process.ProcessId}",
                SystemProcessId = process.ProcessId,
                IsLocalProcess = true,
                StartMethod = launched ? "launch" : "attach",
                PointerSize = 64,
            }, ProtocolJsonContext.Default.ProcessEventBody).ConfigureAwait(false);
            debuggee.Start();
            await DebugConsole.StartupCommandRunner.RunAsync(state, state.StartupCommands.PreRun).ConfigureAwait(false);
            if (state.ConfigurationDone)
                await RunAsync(debuggee).ConfigureAwait(false);
        });
    }

    /// <summary>Starts the program after configuration: shows the first stop when asked to, else continues.</summary>
    public static async Task RunAsync(EngineDebuggee debuggee)
    {
        if (debuggee.StopOnEntry)
            debuggee.Process.ReportInitialStop();
        else
            await debuggee.ContinueQuietlyAsync().ConfigureAwait(false);
    }
}
