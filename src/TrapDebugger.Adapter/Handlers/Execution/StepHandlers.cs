using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Execution;

/// <summary>What the three step requests share: granularity to step kind, and the step itself with events held until the response.</summary>
public static class Stepping
{
    /// <summary>The engine step for a DAP step of <paramref name="source"/> kind at <paramref name="granularity"/>.</summary>
    /// <exception cref="RequestFailedException">The granularity is not statement, line or instruction.</exception>
    public static StepKind KindOf(string command, StepKind source, string? granularity) => granularity switch
    {
        null or SteppingGranularities.Statement or SteppingGranularities.Line => source,
        SteppingGranularities.Instruction => source == StepKind.Out ? StepKind.Out : StepKind.Instruction,
        _ => throw new RequestFailedException($"{command}: granularity '{granularity}' is not one of statement, line, instruction."),
    };

    /// <summary>Steps <paramref name="threadId"/>; the stop arrives as a <c>stopped</c> event with reason <c>step</c>.</summary>
    public static Task StepAsync(RequestContext context, EngineState state, string command, int threadId, StepKind kind)
    {
        var debuggee = state.RequireDebuggee(command);
        return debuggee.WithEventsHeldAsync(context, () => debuggee.Process.StepAsync(threadId, kind));
    }
}

/// <summary><c>next</c>: steps over calls to the next line (or one instruction with granularity <c>instruction</c>).</summary>
public sealed class NextHandler() : EngineRequestHandler<NextArguments>(Commands.Next, ProtocolJsonContext.Default.NextArguments)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsSteppingGranularity = true;

    /// <inheritdoc/>
    protected override Task HandleAsync(NextArguments arguments, RequestContext context, EngineState state) =>
        Stepping.StepAsync(context, state, Command, arguments.ThreadId, Stepping.KindOf(Command, StepKind.Over, arguments.Granularity));
}

/// <summary><c>stepIn</c>: steps into calls that have line information.</summary>
public sealed class StepInHandler() : EngineRequestHandler<StepInArguments>(Commands.StepIn, ProtocolJsonContext.Default.StepInArguments)
{
    /// <inheritdoc/>
    protected override Task HandleAsync(StepInArguments arguments, RequestContext context, EngineState state) =>
        Stepping.StepAsync(context, state, Command, arguments.ThreadId, Stepping.KindOf(Command, StepKind.Into, arguments.Granularity));
}

/// <summary><c>stepOut</c>: runs until the current function (or inlined call) returns.</summary>
public sealed class StepOutHandler() : EngineRequestHandler<StepOutArguments>(Commands.StepOut, ProtocolJsonContext.Default.StepOutArguments)
{
    /// <inheritdoc/>
    protected override Task HandleAsync(StepOutArguments arguments, RequestContext context, EngineState state) =>
        Stepping.StepAsync(context, state, Command, arguments.ThreadId, Stepping.KindOf(Command, StepKind.Out, arguments.Granularity));
}
