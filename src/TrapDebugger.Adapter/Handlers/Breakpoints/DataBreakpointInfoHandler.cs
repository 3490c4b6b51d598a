using System.Globalization;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Process;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Breakpoints;

/// <summary><c>dataBreakpointInfo</c>: whether a variable, an expression or an address range can be watched by a debug
/// register, and the data id that <c>setDataBreakpoints</c> takes for it.</summary>
/// <remarks>Memory that cannot be watched (a register variable, a 40-byte array, an unaligned field) is not an error: the
/// answer has a null data id and a description that says why, as the protocol asks.</remarks>
public sealed class DataBreakpointInfoHandler() : EngineRequestHandler<DataBreakpointInfoArguments, DataBreakpointInfoResponseBody>(
    Commands.DataBreakpointInfo, ProtocolJsonContext.Default.DataBreakpointInfoArguments, ProtocolJsonContext.Default.DataBreakpointInfoResponseBody)
{
    /// <summary>DAP's access type for stores.</summary>
    public const string Write = "write";

    /// <summary>DAP's access type for loads and stores.</summary>
    public const string ReadWrite = "readWrite";

    /// <summary>DAP's access type for loads alone, which x86 debug registers cannot trap.</summary>
    public const string Read = "read";

    /// <summary>The access types an x86 debug register can trap, as DAP names them (reads alone are not among them).</summary>
    public static readonly IReadOnlyList<string> AccessTypes = [Write, ReadWrite];

    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.SupportsDataBreakpoints = true;
        capabilities.SupportsDataBreakpointBytes = true;
    }

    /// <inheritdoc/>
    protected override async Task<DataBreakpointInfoResponseBody?> HandleAsync(DataBreakpointInfoArguments arguments, RequestContext context, EngineState state)
    {
        if (string.IsNullOrWhiteSpace(arguments.Name))
            throw new RequestFailedException("dataBreakpointInfo: 'name' is empty; give a variable name, an expression or an address.");
        if (arguments.Bytes is <= 0)
            throw new RequestFailedException("dataBreakpointInfo: 'bytes' must be a positive number of bytes.");
        if (state.Debuggee is not { HasEnded: false } debuggee || !debuggee.Process.IsStopped)
            return Unwatchable("data breakpoints are set while the process is stopped; pause it first");
        DataTarget target;
        try
        {
            target = await ResolveAsync(debuggee.Process, arguments).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ExpressionException or EngineException or Engine.Values.ValueException or Targets.TargetMemoryException)
        {
            return Unwatchable(e.Message);
        }
        var dataId = DataIdOf(target);
        state.DataTargets[dataId] = target;
        return new DataBreakpointInfoResponseBody
        {
            DataId = dataId,
            Description = target.Description,
            AccessTypes = [.. AccessTypes],
            CanPersist = false,
        };
    }

    private static async Task<DataTarget> ResolveAsync(TargetProcess process, DataBreakpointInfoArguments arguments)
    {
        if (arguments.AsAddress == true)
            return await process.ResolveDataAddressAsync(arguments.Name, arguments.Bytes ?? 1, arguments.FrameId).ConfigureAwait(false);
        var target = arguments.VariablesReference is > 0 and var reference
            ? process.ResolveDataTarget(reference, arguments.Name)
            : await process.ResolveDataTargetAsync(arguments.Name, arguments.FrameId).ConfigureAwait(false);
        if (arguments.Bytes is { } bytes && bytes != target.Size)
        {
            // The client asked for a different extent from the variable's start: a raw range, checked the same way.
            return await process.ResolveDataAddressAsync(string.Create(CultureInfo.InvariantCulture, $"0x{target.Address:x}"), bytes, arguments.FrameId)
                .ConfigureAwait(false) with { Name = target.Name };
        }
        return target;
    }

    private static DataBreakpointInfoResponseBody Unwatchable(string why) => new() { DataId = null, Description = why };

    /// <summary>The data id of <paramref name="target"/>: its address, size and name, so that an id the session no longer
    /// remembers still says what to watch.</summary>
    public static string DataIdOf(DataTarget target) =>
        string.Create(CultureInfo.InvariantCulture, $"0x{target.Address:x}/{target.Size}/{target.Name}");

    /// <summary>The memory <paramref name="dataId"/> stands for: the remembered target, else what the id itself says;
    /// null when it is not a data id of ours.</summary>
    public static DataTarget? TargetOf(EngineState state, string dataId)
    {
        if (state.DataTargets.TryGetValue(dataId, out var known)) return known;
        var parts = dataId.Split('/', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("0x", StringComparison.Ordinal)
            || !ulong.TryParse(parts[0].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var address)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || !DataTarget.IsWatchableSize(size) || address % (ulong)size != 0)
            return null;
        return new DataTarget(address, size, parts.Length == 3 && parts[2].Length > 0 ? parts[2] : parts[0], null);
    }
}
