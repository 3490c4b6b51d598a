using TrapDebugger.Adapter.Handlers.DebugConsole;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Requests;
using TrapDebugger.Protocol.Serialization;
using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Evaluate;

/// <summary><c>completions</c>: what the Debug Console can offer at the cursor: console commands after the command
/// prefix, members after <c>.</c> and <c>-&gt;</c>, and otherwise the names in scope at the frame (locals and
/// parameters first, then the unit's globals; registers after <c>$</c>).</summary>
public sealed class CompletionsHandler() : EngineRequestHandler<CompletionsArguments, CompletionsResponseBody>(
    Commands.Completions, ProtocolJsonContext.Default.CompletionsArguments, ProtocolJsonContext.Default.CompletionsResponseBody)
{
    /// <summary>Commands whose argument is an expression, so completing the argument completes an expression.</summary>
    private static readonly HashSet<string> ExpressionCommands = ["print", "ptype", "whatis", "x", "disassemble"];

    /// <inheritdoc/>
    public override void Advertise(Capabilities capabilities)
    {
        capabilities.SupportsCompletionsRequest = true;
        capabilities.CompletionTriggerCharacters = [".", ">"];
    }

    /// <inheritdoc/>
    protected override async Task<CompletionsResponseBody?> HandleAsync(CompletionsArguments arguments, RequestContext context, EngineState state)
    {
        int columnBase = context.Session.Client?.ColumnsStartAt1 == false ? 0 : 1;
        var lines = arguments.Text.Split('\n');
        int lineIndex = Math.Clamp((arguments.Line ?? lines.Length) - (context.Session.Client?.LinesStartAt1 == false ? 0 : 1), 0, lines.Length - 1);
        var line = lines[lineIndex];
        int cursor = Math.Clamp(arguments.Column - columnBase, 0, line.Length);
        var before = line[..cursor];
        var body = new CompletionsResponseBody();

        if (EvaluateHandler.CommandText(before, state.CommandPrefix) is { } command)
        {
            // CommandText drops the blanks before the prefix; the command's words start after the prefix and any blanks.
            int spellingStart = before.Length - command.TrimStart().Length;
            if (ConsoleCommands.Parse(command) is { } known)
            {
                int afterSpelling = spellingStart + known.Line.Command.Length + (known.Line.Format is { } format ? format.Length + 1 : 0);
                if (before.Length > afterSpelling)
                {
                    if (ExpressionCommands.Contains(known.Command.Name))
                        await AddExpressionCompletionsAsync(state, arguments.FrameId, before, afterSpelling, columnBase, body).ConfigureAwait(false);
                    return body;
                }
            }
            var typed = before[spellingStart..];
            foreach (var (spelling, summary) in ConsoleCommands.Complete(typed))
            {
                body.Targets.Add(new CompletionItem
                {
                    Label = spelling,
                    Text = spelling,
                    Detail = summary,
                    Type = "keyword",
                    Start = columnBase + spellingStart,
                    Length = typed.Length,
                });
            }
            return body;
        }
        await AddExpressionCompletionsAsync(state, arguments.FrameId, before, 0, columnBase, body).ConfigureAwait(false);
        return body;
    }

    private static async Task AddExpressionCompletionsAsync(EngineState state, int? frameId, string before, int expressionStart, int columnBase,
        CompletionsResponseBody body)
    {
        if (state.Debuggee is not { HasEnded: false } debuggee || !debuggee.Process.IsStopped)
            return;
        foreach (var candidate in await ExpressionCompletion.CompleteAsync(debuggee.Process, frameId, before, expressionStart).ConfigureAwait(false))
        {
            body.Targets.Add(new CompletionItem
            {
                Label = candidate.Name,
                Text = candidate.Name,
                Detail = candidate.Detail,
                Type = candidate.Kind,
                SortText = candidate.SortText,
                Start = columnBase + candidate.Start,
                Length = candidate.Length,
            });
        }
    }
}
