using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Session;

/// <summary>Base of a handler with typed arguments and a typed response body.</summary>
public abstract class RequestHandler<TArguments, TBody> : IRequestHandler
{
    private readonly JsonTypeInfo<TArguments> argumentsType;
    private readonly JsonTypeInfo<TBody> bodyType;

    /// <summary>Creates a handler of <paramref name="command"/> with the source-generated metadata of its types.</summary>
    protected RequestHandler(string command, JsonTypeInfo<TArguments> argumentsType, JsonTypeInfo<TBody> bodyType)
    {
        Command = command;
        this.argumentsType = argumentsType;
        this.bodyType = bodyType;
    }

    /// <inheritdoc/>
    public string Command { get; }

    /// <inheritdoc/>
    public virtual void Advertise(Capabilities capabilities)
    {
    }

    /// <inheritdoc/>
    public async Task<JsonElement?> HandleAsync(RequestContext context)
    {
        var arguments = ArgumentDecoder.Decode(context.Request, argumentsType);
        var body = await HandleAsync(arguments, context).ConfigureAwait(false);
        return body is null ? null : MessageEncoder.ToElement(body, bodyType);
    }

    /// <summary>Handles the decoded request.</summary>
    protected abstract Task<TBody?> HandleAsync(TArguments arguments, RequestContext context);
}

/// <summary>Base of a handler with typed arguments and no response body.</summary>
public abstract class RequestHandler<TArguments> : IRequestHandler
{
    private readonly JsonTypeInfo<TArguments> argumentsType;

    /// <summary>Creates a handler of <paramref name="command"/> with the source-generated metadata of its arguments.</summary>
    protected RequestHandler(string command, JsonTypeInfo<TArguments> argumentsType)
    {
        Command = command;
        this.argumentsType = argumentsType;
    }

    /// <inheritdoc/>
    public string Command { get; }

    /// <inheritdoc/>
    public virtual void Advertise(Capabilities capabilities)
    {
    }

    /// <inheritdoc/>
    public async Task<JsonElement?> HandleAsync(RequestContext context)
    {
        var arguments = ArgumentDecoder.Decode(context.Request, argumentsType);
        await HandleAsync(arguments, context).ConfigureAwait(false);
        return null;
    }

    /// <summary>Handles the decoded request.</summary>
    protected abstract Task HandleAsync(TArguments arguments, RequestContext context);
}
