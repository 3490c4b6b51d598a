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
            Description = Headline(diagnosis, state.Paths),
            BreakMode = "always",
            Details = new ExceptionDetails
            {
                Message = Headline(diagnosis, state.Paths),
                TypeName = diagnosis.ShortText,
                FullTypeName = diagnosis.Category is { } category ? $"{diagnosis.SignalName}: {category}" : diagnosis.SignalName,
                StackTrace = state.Paths.InText(Summary(diagnosis), SourcePathsOf(diagnosis)),
                InnerException = diagnosis.Origins.Count == 0 ? null : [.. diagnosis.Origins.OrderBy(o => o.Rank).Select(o => OriginDetails(o, state.Paths))],
            },
        };
        return Task.FromResult<ExceptionInfoResponseBody?>(body);
    }

    /// <summary>The headline on one line, with source paths as the client sees them: VS Code's exception widget prints
    /// "Exception has occurred: &lt;exceptionId&gt;" and then it.</summary>
    public static string Headline(StopDiagnosis diagnosis, SourcePaths paths) =>
        paths.InText(diagnosis.Description.ReplaceLineEndings(" "), SourcePathsOf(diagnosis));

    /// <summary>The source files the diagnosis's words may name: where it stopped, where it lands and each origin's check.</summary>
    public static IEnumerable<string?> SourcePathsOf(StopDiagnosis diagnosis) =>
        new[] { diagnosis.Location?.File, diagnosis.Landing?.Location?.File }.Concat(diagnosis.Origins.Select(o => o.Location?.File));

    // The instruction and evidence lines, then each ranked origin once, its condition in words.
    private static string Summary(StopDiagnosis diagnosis) =>
        string.Join('\n', diagnosis.Details.Concat(diagnosis.Origins.OrderBy(o => o.Rank).Select(StopWording.OriginLine)));

    private static ExceptionDetails OriginDetails(TrapOrigin origin, Process.SourcePaths paths) => new()
    {
        Message = paths.InText(StopWording.OriginLine(origin), [origin.Location?.File]),
        TypeName = origin.Category,
        EvaluateName = origin.InlinedFrom,
        StackTrace = origin.Location is { File: var file } l ? $"{(file is null ? "??" : paths.ToClient(file))}:{l.Line}{(l.Column > 0 ? ":" + l.Column : "")}" : $"0x{origin.BranchAddress:x}",
    };
}
