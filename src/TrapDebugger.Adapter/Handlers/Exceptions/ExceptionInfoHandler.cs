using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;
using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary><c>exceptionInfo</c>: the diagnosis of a trap or fault stop: its kind, its message, and the ranked checks that may have fired with their evidence.</summary>
public sealed class ExceptionInfoHandler() : EngineRequestHandler<ExceptionInfoArguments, ExceptionInfoResponseBody>(
    Commands.ExceptionInfo, ProtocolJsonContext.Default.ExceptionInfoArguments, ProtocolJsonContext.Default.ExceptionInfoResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsExceptionInfoRequest = true;

    /// <inheritdoc/>
    protected override Task<ExceptionInfoResponseBody?> HandleAsync(ExceptionInfoArguments arguments, RequestContext context, EngineState state)
    {
        var diagnosis = TrapStop.DiagnosisOf(Command, state, arguments.ThreadId);
        var body = new ExceptionInfoResponseBody
        {
            ExceptionId = TrapWireNames.KindOf(diagnosis),
            Description = StopHeadline.Of(diagnosis),
            BreakMode = "always",
            Details = new ExceptionDetails
            {
                Message = StopHeadline.Of(diagnosis),
                TypeName = diagnosis.ShortText,
                FullTypeName = diagnosis.Category is { } category ? $"{diagnosis.SignalName}: {category}" : diagnosis.SignalName,
                StackTrace = Summary(diagnosis),
                InnerException = diagnosis.Origins.Count == 0 ? null : [.. diagnosis.Origins.OrderBy(o => o.Rank).Select(o => OriginDetails(o, state.Paths))],
            },
        };
        return Task.FromResult<ExceptionInfoResponseBody?>(body);
    }

    // The instruction and evidence lines, then each ranked origin once, its condition in words.
    private static string Summary(StopDiagnosis diagnosis) =>
        string.Join('\n', StopHeadline.DetailsWithoutOrigins(diagnosis)
            .Concat(diagnosis.Origins.OrderBy(o => o.Rank).Select(StopHeadline.OriginLine)));

    private static ExceptionDetails OriginDetails(TrapOrigin origin, Process.SourcePaths paths) => new()
    {
        Message = StopHeadline.OriginLine(origin),
        TypeName = origin.Category,
        EvaluateName = origin.InlinedFrom,
        StackTrace = origin.Location is { File: var file } l ? $"{(file is null ? "??" : paths.ToClient(file))}:{l.Line}{(l.Column > 0 ? ":" + l.Column : "")}" : $"0x{origin.BranchAddress:x}",
    };
}
