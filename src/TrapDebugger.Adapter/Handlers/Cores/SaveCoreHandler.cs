using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Cores;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Handlers.Cores;

/// <summary><c>saveCore</c> (TrapDebugger extension): writes a core file of the stopped process, which <c>launch</c> with
/// <c>coreFile</c>, <c>trapdbg core</c>, <c>gdb -c</c> and <c>lldb -c</c> open.</summary>
public sealed class SaveCoreHandler() : EngineRequestHandler<SaveCoreArguments, SaveCoreResponseBody>(
    Commands.SaveCore, ProtocolJsonContext.Default.SaveCoreArguments, ProtocolJsonContext.Default.SaveCoreResponseBody)
{
    /// <inheritdoc/>
    protected override async Task<SaveCoreResponseBody?> HandleAsync(SaveCoreArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        if (string.IsNullOrWhiteSpace(arguments.Path) || !Path.IsPathFullyQualified(arguments.Path))
            throw new RequestFailedException($"{Command}: property 'path' must be an absolute path of the core file to write.");
        var path = Path.GetFullPath(arguments.Path);
        if (Directory.Exists(path))
            throw new RequestFailedException($"{Command}: '{path}' is a directory; name the core file to write.");
        if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
            throw new RequestFailedException($"{Command}: the folder '{folder}' does not exist.");
        if (!debuggee.Process.IsStopped)
            throw new RequestFailedException($"{Command}: the process is running; pause it first.");
        var written = await debuggee.Process.SaveCoreAsync(path).ConfigureAwait(false);
        return new SaveCoreResponseBody
        {
            Path = path,
            Threads = written.Threads,
            IncludedBytes = (long)written.IncludedBytes,
            OmittedBytes = (long)written.OmittedBytes,
        };
    }
}
