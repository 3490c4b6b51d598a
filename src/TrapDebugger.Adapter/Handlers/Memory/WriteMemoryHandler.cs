using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Memory;

/// <summary><c>writeMemory</c>: writes bytes into the process; the variables views are invalidated afterwards.</summary>
public sealed class WriteMemoryHandler() : EngineRequestHandler<WriteMemoryArguments, WriteMemoryResponseBody>(
    Commands.WriteMemory, ProtocolJsonContext.Default.WriteMemoryArguments, ProtocolJsonContext.Default.WriteMemoryResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsWriteMemoryRequest = true;

    /// <inheritdoc/>
    protected override Task<WriteMemoryResponseBody?> HandleAsync(WriteMemoryArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        ulong address = SourceTranslation.ParseAddress(Command, arguments.MemoryReference, arguments.Offset ?? 0);
        byte[] data;
        try
        {
            data = Convert.FromBase64String(arguments.Data);
        }
        catch (FormatException)
        {
            throw new RequestFailedException("writeMemory: 'data' is not valid base64.");
        }
        if (data.Length > ReadMemoryHandler.MaxBytes)
            throw new RequestFailedException($"writeMemory: at most {ReadMemoryHandler.MaxBytes} bytes can be written at once.");
        if (!debuggee.Process.IsStopped)
            throw new RequestFailedException("writeMemory: the process is running; pause it first.");
        debuggee.Process.Memory.Write(address, data);
        context.AfterResponse(() => context.Connection.SendEventAsync(EventNames.Invalidated,
            new InvalidatedEventBody { Areas = ["variables"] }, ProtocolJsonContext.Default.InvalidatedEventBody));
        return Task.FromResult<WriteMemoryResponseBody?>(new WriteMemoryResponseBody { BytesWritten = data.Length });
    }
}
