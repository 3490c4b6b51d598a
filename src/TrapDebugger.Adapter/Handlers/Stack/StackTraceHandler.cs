using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Engine.Events;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;
using DapStackFrame = TrapDebugger.Protocol.Types.StackFrame;
using EngineStackFrame = TrapDebugger.Engine.Frames.StackFrame;

namespace TrapDebugger.Adapter.Handlers.Stack;

/// <summary><c>stackTrace</c>: the frames of a thread, inlined calls as frames of their own, paged.</summary>
/// <remarks>
/// On a trap or fault the diagnosis names the frame the user should land on (the caller of a verbose trap, the line of
/// the check that fired in a merged -O2 trap, the caller of <c>__assert_fail</c>). That frame shows the diagnosis's
/// source position, the artificial trap-message frame is a <c>label</c>, and the library frames in between keep their
/// names but not their source, so the first frame a client opens is the user's line.
/// <para>
/// Stacks are offered for delayed loading: VS Code asks for the top frame first and the rest 420 ms later, and focuses
/// a frame after each answer if none is focused yet. At a trap the top frame is usually the trap-message label, so the
/// landing frame is focused after the second answer, from the frames VS Code holds then.
/// </para>
/// </remarks>
public sealed class StackTraceHandler() : EngineRequestHandler<StackTraceArguments, StackTraceResponseBody>(
    Commands.StackTrace, ProtocolJsonContext.Default.StackTraceArguments, ProtocolJsonContext.Default.StackTraceResponseBody)
{
    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities) => capabilities.SupportsDelayedStackTraceLoading = true;

    /// <inheritdoc/>
    protected override async Task<StackTraceResponseBody?> HandleAsync(StackTraceArguments arguments, RequestContext context, EngineState state)
    {
        var debuggee = state.RequireDebuggee(Command);
        int start = Math.Max(arguments.StartFrame ?? 0, 0);
        int levels = arguments.Levels is int l and > 0 ? l : int.MaxValue;
        var (frames, total) = await debuggee.Process.GetStackTraceAsync(arguments.ThreadId, start, levels).ConfigureAwait(false);
        var stop = debuggee.ReportedStop is { } s && s.ThreadId == arguments.ThreadId ? s : null;
        var body = new StackTraceResponseBody { TotalFrames = total };
        foreach (var frame in frames)
        {
            var translated = Translate(frame, stop, state.Paths);
            if (arguments.Format is { } format && !frame.IsArtificial)
                translated.Name += await DecorationAsync(debuggee.Process, frame, format).ConfigureAwait(false);
            body.StackFrames.Add(translated);
        }
        return body;
    }

    /// <summary>What <paramref name="format"/> asks to show after a frame's name: its parameters (types, names and values,
    /// values in hex when asked), its line and its module.</summary>
    private static async Task<string> DecorationAsync(Engine.Process.TargetProcess process, EngineStackFrame frame, StackFrameFormat format)
    {
        var text = new System.Text.StringBuilder();
        if (format.Parameters == true)
        {
            var parameters = await process.GetFrameParametersAsync(frame.Id, Variables.ValueFormatTranslation.Of(format)).ConfigureAwait(false);
            bool types = format.ParameterTypes == true, names = format.ParameterNames != false, values = format.ParameterValues != false;
            text.Append('(').AppendJoin(", ", parameters.Select(p => string.Join(' ', new[]
            {
                types ? p.Type : null,
                names && values ? $"{p.Name}={p.Value}" : names ? p.Name : values ? p.Value : null,
            }.Where(part => part is not null)))).Append(')');
        }
        if (format.Line == true && frame.Location is { Line: > 0 } at)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" Line {at.Line}");
        if (format.Module == true && frame.Module is { } module)
            text.Append(' ').Append(module.Name);
        return text.ToString();
    }

    private static DapStackFrame Translate(EngineStackFrame frame, StopInfo? stop, SourcePaths paths)
    {
        var result = new DapStackFrame
        {
            Id = frame.Id,
            Name = frame.IsInlined ? $"{frame.Name} [inlined]" : frame.Name,
            InstructionPointerReference = SourceTranslation.Address(frame.Pc),
            ModuleId = frame.Module?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (frame.Location is { Line: > 0 } location)
        {
            result.Source = SourceTranslation.ToSource(location.File, paths);
            result.Line = (int)location.Line;
            result.Column = (int)Math.Max(location.Column, 1);
        }

        var landing = stop?.Diagnosis?.Landing;
        if (frame.IsArtificial)
        {
            // The __clang_trap_msg frame carries the message, not code: a label in the call stack, never opened.
            result.PresentationHint = StackFramePresentationHints.Label;
            result.Source = null;
            result.Line = 0;
            result.Column = 0;
        }
        else if (landing is not null && frame.Index == landing.FrameIndex)
        {
            if (landing.Location is { Line: > 0 } at)
            {
                result.Source = SourceTranslation.ToSource(at.File, paths);
                result.Line = at.Line;
                result.Column = Math.Max(at.Column, 1);
            }
        }
        else if (landing is not null && frame.Index < landing.FrameIndex)
        {
            // Library frames between the fault and the user's code (abort, raise, __assert_fail, a libc++ accessor):
            // named, with their pc for the disassembly view, but no source, so a client opens the user's line first.
            result.PresentationHint = StackFramePresentationHints.Subtle;
            result.Source = null;
            result.Line = 0;
            result.Column = 0;
        }
        return result;
    }
}
