using TrapDebugger.Adapter.Handlers.DebugConsole;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Evaluate;

/// <summary><c>evaluate</c>: expressions for watch, hover, repl and clipboard, in the given frame or the stopped thread's
/// innermost one; in the Debug Console, a line starting with the command prefix is a console command instead. An
/// assignment or a function call changes the program (never from a hover); the client is then told to read its
/// variables again.</summary>
public sealed class EvaluateHandler() : EngineRequestHandler<EvaluateArguments, EvaluateResponseBody>(
    Commands.Evaluate, ProtocolJsonContext.Default.EvaluateArguments, ProtocolJsonContext.Default.EvaluateResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.SupportsEvaluateForHovers = true;
        capabilities.SupportsClipboardContext = true;
    }

    /// <inheritdoc/>
    protected override async Task<EvaluateResponseBody?> HandleAsync(EvaluateArguments arguments, RequestContext context, EngineState state)
    {
        if (arguments.Context == EvaluateContexts.Repl && CommandText(arguments.Expression, state.CommandPrefix) is { } command)
            return await RunCommandAsync(command, arguments, context, state).ConfigureAwait(false);
        var debuggee = state.RequireDebuggee(Command);
        if (string.IsNullOrWhiteSpace(arguments.Expression))
            throw new RequestFailedException("evaluate: the expression is empty.");
        var process = debuggee.Process;
        long before = process.StateVersion;
        Engine.Variables.VariableInfo row;
        try
        {
            row = await process.EvaluateAsync(arguments.Expression, arguments.FrameId, Variables.ValueFormatTranslation.Of(arguments.Format),
                allowSideEffects: arguments.Context != EvaluateContexts.Hover).ConfigureAwait(false);
        }
        catch (Exception e) when (arguments.Context == EvaluateContexts.Repl && EngineFailure.IsUserFacing(e)
            && ConsoleCommands.Parse(arguments.Expression) is { } parsed && state.CommandPrefix.Length > 0)
        {
            // "bt" typed without the prefix: say how to run it rather than only that no variable is called bt.
            var failure = EngineFailure.ToRequestFailure(Command, e);
            throw new RequestFailedException($"{failure.Message} To run the console command, type {state.CommandPrefix}{parsed.Line.Command}.", e);
        }
        catch when (process.StateVersion != before)
        {
            // A call that crashed or was interrupted may have changed memory before it stopped: the client reads again.
            await Invalidated(context, debuggee)().ConfigureAwait(false);
            throw;
        }
        if (process.StateVersion != before) context.AfterResponse(Invalidated(context, debuggee));
        return new EvaluateResponseBody
        {
            Result = row.Value,
            Type = row.Type,
            VariablesReference = row.VariablesReference,
            NamedVariables = row.NamedVariables,
            IndexedVariables = row.IndexedVariables,
            MemoryReference = row.MemoryReference,
        };
    }

    // Tells the client that the variables it shows of the current stop are stale.
    private static Func<Task> Invalidated(RequestContext context, EngineDebuggee debuggee)
    {
        var stop = debuggee.ReportedStop;
        return () => context.Connection.SendEventAsync(EventNames.Invalidated,
            new InvalidatedEventBody { Areas = ["variables"], ThreadId = stop?.ThreadId }, ProtocolJsonContext.Default.InvalidatedEventBody);
    }

    /// <summary>The command of a console line: the text after <paramref name="prefix"/>, or every line when the prefix is empty.</summary>
    public static string? CommandText(string line, string prefix)
    {
        var trimmed = line.TrimStart();
        if (prefix.Length == 0)
            return trimmed;
        return trimmed.StartsWith(prefix, StringComparison.Ordinal) ? trimmed[prefix.Length..] : null;
    }

    private static async Task<EvaluateResponseBody> RunCommandAsync(string command, EvaluateArguments arguments, RequestContext context, EngineState state)
    {
        CommandResult result;
        try
        {
            result = await ConsoleCommands.RunAsync(new CommandContext(state, arguments.FrameId, context.CancellationToken), command).ConfigureAwait(false);
        }
        catch (CommandFailedException e)
        {
            throw new RequestFailedException(e.Message, e);
        }
        return new EvaluateResponseBody { Result = result.Text, Type = result.Type, VariablesReference = result.VariablesReference };
    }
}
