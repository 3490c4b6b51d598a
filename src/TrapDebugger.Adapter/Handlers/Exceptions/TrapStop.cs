using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary>Finds the diagnosis of the stop a request is about.</summary>
public static class TrapStop
{
    /// <summary>The diagnosis of the current stop of <paramref name="threadId"/> (null: the thread that stopped).</summary>
    /// <exception cref="RequestFailedException">There is no process, it is running, or the thread did not stop on a trap or signal.</exception>
    public static StopDiagnosis DiagnosisOf(string command, EngineState state, int? threadId)
    {
        var debuggee = state.RequireDebuggee(command);
        var stop = debuggee.ReportedStop ?? throw new RequestFailedException($"{command}: the process is not stopped.");
        if (threadId is { } tid && tid != stop.ThreadId)
            throw new RequestFailedException($"{command}: thread {tid} did not cause the stop; thread {stop.ThreadId} did.");
        return stop.Diagnosis ?? throw new RequestFailedException($"{command}: the process stopped for a {StopTranslation.ReasonOf(stop.Cause)}, not a trap or signal.");
    }
}
