using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Memory;

/// <summary><c>readMemory</c>: bytes of the process (debugger breakpoints masked), up to the first unreadable byte.</summary>
public sealed class ReadMemoryHandler() : EngineRequestHandler<ReadMemoryArguments, ReadMemoryResponseBody>(
    Commands.ReadMemory, ProtocolJsonContext.Default.ReadMemoryArguments, ProtocolJsonContext.Default.ReadMemoryResponseBody)
{
    /// <summary>The most bytes one request reads; clients page larger views.</summary>
    public const int MaxBytes = 1 << 20;

    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsReadMemoryRequest = true;

    /// <inheritdoc/>
    protected override Task<ReadMemoryResponseBody?> HandleAsync(ReadMemoryArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        if (arguments.Count < 0)
            throw new RequestFailedException($"readMemory: count must not be negative, not {arguments.Count}.");
        ulong address = SourceTranslation.ParseAddress(Command, arguments.MemoryReference, arguments.Offset ?? 0);
        int count = Math.Min(arguments.Count, MaxBytes);
        var buffer = new byte[count];
        int read = count == 0 ? 0 : debuggee.Process.Memory.Read(address, buffer);
        read = Math.Max(read, 0);
        return Task.FromResult<ReadMemoryResponseBody?>(new ReadMemoryResponseBody
        {
            Address = SourceTranslation.Address(address),
            Data = Convert.ToBase64String(buffer, 0, read),
            UnreadableBytes = arguments.Count > read ? arguments.Count - read : null,
        });
    }
}
