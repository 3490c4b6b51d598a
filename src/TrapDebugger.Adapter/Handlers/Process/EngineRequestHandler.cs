using System.Text.Json.Serialization.Metadata;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Values;
using TrapDebugger.Targets;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>Base of the handlers that call the engine: the engine's one-sentence failures become error responses naming the request.</summary>
public abstract class EngineRequestHandler<TArguments, TBody>(string command, JsonTypeInfo<TArguments> argumentsType, JsonTypeInfo<TBody> bodyType)
    : RequestHandler<TArguments, TBody>(command, argumentsType, bodyType)
{
    /// <inheritdoc/>
    protected sealed override async Task<TBody?> HandleAsync(TArguments arguments, RequestContext context)
    {
        try
        {
            return await HandleAsync(arguments, context, context.Session.Engine).ConfigureAwait(false);
        }
        catch (Exception e) when (EngineFailure.IsUserFacing(e))
        {
            throw EngineFailure.ToRequestFailure(Command, e);
        }
    }

    /// <summary>Handles the decoded request with the session's engine state.</summary>
    protected abstract Task<TBody?> HandleAsync(TArguments arguments, RequestContext context, EngineState state);
}

/// <summary>Base of the engine handlers without a response body.</summary>
public abstract class EngineRequestHandler<TArguments>(string command, JsonTypeInfo<TArguments> argumentsType)
    : RequestHandler<TArguments>(command, argumentsType)
{
    /// <inheritdoc/>
    protected sealed override async Task HandleAsync(TArguments arguments, RequestContext context)
    {
        try
        {
            await HandleAsync(arguments, context, context.Session.Engine).ConfigureAwait(false);
        }
        catch (Exception e) when (EngineFailure.IsUserFacing(e))
        {
            throw EngineFailure.ToRequestFailure(Command, e);
        }
    }

    /// <summary>Handles the decoded request with the session's engine state.</summary>
    protected abstract Task HandleAsync(TArguments arguments, RequestContext context, EngineState state);
}

/// <summary>Which engine exceptions carry a sentence for the user, and how they become error responses.</summary>
public static class EngineFailure
{
    /// <summary>True for the engine's typed, user-facing failures (a target's failures are one sentence too: a core refuses
    /// a write with one).</summary>
    public static bool IsUserFacing(Exception e) =>
        e is EngineException or ExpressionException or ValueException or TargetException;

    /// <summary>The error response for <paramref name="e"/> in request <paramref name="command"/>.</summary>
    public static RequestFailedException ToRequestFailure(string command, Exception e)
    {
        var text = e.Message.TrimEnd();
        if (!text.EndsWith('.') && !text.EndsWith('?') && !text.EndsWith('!'))
            text += ".";
        return new RequestFailedException($"{command}: {text}", e);
    }
}
