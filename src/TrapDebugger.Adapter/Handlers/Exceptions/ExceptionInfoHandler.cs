using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
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
            ExceptionId = StopKindNames.Of(diagnosis),
            Description = diagnosis.Message ?? diagnosis.Description,
            BreakMode = "always",
            Details = new ExceptionDetails
            {
                Message = diagnosis.Description,
                TypeName = diagnosis.ShortText,
                FullTypeName = diagnosis.Category is { } category ? $"{diagnosis.SignalName}: {category}" : diagnosis.SignalName,
                StackTrace = Summary(diagnosis),
                InnerException = diagnosis.Origins.Count == 0 ? null : [.. diagnosis.Origins.OrderBy(o => o.Rank).Select(OriginDetails)],
            },
        };
        return Task.FromResult<ExceptionInfoResponseBody?>(body);
    }

    private static string Summary(StopDiagnosis diagnosis)
    {
        var lines = new List<string>();
        if (diagnosis.Instruction is { } instruction)
            lines.Add($"{diagnosis.SignalName} at 0x{diagnosis.TrapAddress:x}: {instruction}{(diagnosis.Function is { } f ? " in " + f : "")}");
        foreach (var origin in diagnosis.Origins.OrderBy(o => o.Rank))
            lines.Add($"#{origin.Rank} {OriginLine(origin)}");
        lines.AddRange(diagnosis.Details);
        return string.Join('\n', lines);
    }

    private static string OriginLine(TrapOrigin origin)
    {
        var where = origin.Location is { } l ? $"{Path.GetFileName(l.File)}:{l.Line}" : $"0x{origin.BranchAddress:x}";
        var what = origin.Message is { } m ? (origin.Category is { } c ? $"{c}: {m}" : m) : origin.Category ?? "check";
        var condition = origin.Condition switch
        {
            ConditionStatus.Holds => "fired",
            ConditionStatus.DoesNotHold => "did not fire",
            _ => "unknown",
        };
        return $"{where} {what} [{condition}]{(origin.Evidence is { } e ? " " + e : "")}";
    }

    private static ExceptionDetails OriginDetails(TrapOrigin origin) => new()
    {
        Message = OriginLine(origin),
        TypeName = origin.Category,
        EvaluateName = origin.InlinedFrom,
        StackTrace = origin.Location is { } l ? $"{l.File}:{l.Line}{(l.Column > 0 ? ":" + l.Column : "")}" : $"0x{origin.BranchAddress:x}",
    };
}
