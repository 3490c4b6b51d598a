using System.Globalization;
using System.Text;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Adapter.Handlers.Process;
using TrapDebugger.Engine.Process;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>The commands about stacks and threads: <c>bt</c>, <c>thread apply all bt</c>, <c>frame</c>, <c>up</c>,
/// <c>down</c> and <c>info threads</c>, printed as gdb prints them.</summary>
public static class StackCommands
{
    /// <summary>The most frames one backtrace prints unless asked for more.</summary>
    public const int DefaultFrameLimit = 200;

    /// <summary>The commands of this group.</summary>
    public static IEnumerable<ConsoleCommand> All =>
    [
        new("bt", ["backtrace", "where"], "bt [N]", "Print the stack of the current thread (N frames, all by default).",
            "Each frame: its number, pc, function with its arguments, and file:line (or the library for code without\nline information). Inlined calls are frames of their own.", Backtrace),
        new("thread apply all bt", ["thread apply all backtrace"], "thread apply all bt [N]", "Print the stack of every thread.",
            "The thread that stopped comes first.", BacktraceAll),
        new("frame", ["f"], "frame [N]", "Select frame N of the current thread for the following commands and print it.",
            "Without N, print the selected frame. The selection holds until the program runs again or another frame is\nfocused in the Call Stack.", Frame),
        new("up", [], "up [N]", "Select the frame N levels up (towards the caller), 1 by default.", "", Up),
        new("down", [], "down [N]", "Select the frame N levels down (towards the innermost), 1 by default.", "", Down),
        new("info threads", ["i threads"], "info threads", "List the threads, with the frame each is in.",
            "The thread that stopped is marked with *.", InfoThreads),
    ];

    private static async Task<CommandResult> Backtrace(CommandContext context, CommandLine line)
    {
        var frame = await context.FrameAsync().ConfigureAwait(false);
        var text = new StringBuilder();
        await AppendStackAsync(context, frame.ThreadId, Count(line.Arguments), text).ConfigureAwait(false);
        return new CommandResult(text.ToString().TrimEnd('\n'));
    }

    private static async Task<CommandResult> BacktraceAll(CommandContext context, CommandLine line)
    {
        var process = context.StoppedProcess;
        int stopped = context.StoppedThreadId;
        int limit = Count(line.Arguments);
        var text = new StringBuilder();
        foreach (var thread in process.Threads.OrderBy(t => t.Id == stopped ? 0 : 1).ThenBy(t => t.Id))
        {
            if (text.Length > 0)
                text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"Thread {thread.Id} \"{thread.Name}\"{(thread.Id == stopped ? " (stopped here)" : "")}:\n");
            await AppendStackAsync(context, thread.Id, limit, text).ConfigureAwait(false);
        }
        return new CommandResult(text.ToString().TrimEnd('\n'));
    }

    private static async Task<CommandResult> Frame(CommandContext context, CommandLine line)
    {
        var current = await context.FrameAsync().ConfigureAwait(false);
        if (line.Arguments.Length == 0)
            return new CommandResult(await DescribeAsync(context, current, withSource: true).ConfigureAwait(false));
        return await SelectAsync(context, current.ThreadId, Number(line.Arguments, "frame")).ConfigureAwait(false);
    }

    private static async Task<CommandResult> Up(CommandContext context, CommandLine line)
    {
        var current = await context.FrameAsync().ConfigureAwait(false);
        int levels = line.Arguments.Length == 0 ? 1 : Number(line.Arguments, "up");
        var (_, total) = await context.StoppedProcess.GetStackTraceAsync(current.ThreadId, 0, 1).ConfigureAwait(false);
        if (current.Index + 1 >= total)
            throw new CommandFailedException("Initial frame selected; you cannot go up.");
        return await SelectAsync(context, current.ThreadId, Math.Min(current.Index + levels, total - 1)).ConfigureAwait(false);
    }

    private static async Task<CommandResult> Down(CommandContext context, CommandLine line)
    {
        var current = await context.FrameAsync().ConfigureAwait(false);
        int levels = line.Arguments.Length == 0 ? 1 : Number(line.Arguments, "down");
        if (current.Index == 0)
            throw new CommandFailedException("Bottom (innermost) frame selected; you cannot go down.");
        return await SelectAsync(context, current.ThreadId, Math.Max(current.Index - levels, 0)).ConfigureAwait(false);
    }

    private static async Task<CommandResult> SelectAsync(CommandContext context, int threadId, int index)
    {
        var frame = await context.FrameOfThreadAsync(threadId, index).ConfigureAwait(false);
        context.Select(frame);
        return new CommandResult(await DescribeAsync(context, frame, withSource: true).ConfigureAwait(false));
    }

    private static async Task<CommandResult> InfoThreads(CommandContext context, CommandLine line)
    {
        var process = context.StoppedProcess;
        int stopped = context.StoppedThreadId;
        var text = new StringBuilder("  Id       Name             Frame\n");
        foreach (var thread in process.Threads.OrderBy(t => t.Id))
        {
            var (frames, _) = await process.GetStackTraceAsync(thread.Id, 0, 1).ConfigureAwait(false);
            string where = frames.Count > 0 ? Where(context, frames[0]) : "(no frames)";
            text.Append(CultureInfo.InvariantCulture, $"{(thread.Id == stopped ? '*' : ' ')} {thread.Id,-8} {thread.Name,-16} {where}\n");
        }
        return new CommandResult(text.ToString().TrimEnd('\n'));
    }

    /// <summary>Appends up to <paramref name="limit"/> frames of <paramref name="threadId"/>, one line each.</summary>
    public static async Task AppendStackAsync(CommandContext context, int threadId, int limit, StringBuilder text)
    {
        var (frames, total) = await context.StoppedProcess.GetStackTraceAsync(threadId, 0, limit).ConfigureAwait(false);
        foreach (var frame in frames)
            text.Append(await DescribeAsync(context, frame, withSource: false).ConfigureAwait(false)).Append('\n');
        if (total > frames.Count)
            text.Append(CultureInfo.InvariantCulture, $"(More stack frames follow: {total - frames.Count} of {total} not shown; use 'bt {total}'.)\n");
    }

    /// <summary>One frame as gdb prints it: <c>#1  0x… in f (x=1) at /src/a.c:12</c>; with the source line below it when asked.</summary>
    public static async Task<string> DescribeAsync(CommandContext context, StackFrame frame, bool withSource)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"#{frame.Index,-2} 0x{frame.Pc:x16} in {frame.Name}");
        if (!frame.IsArtificial)
            text.Append(' ').Append(await ArgumentsAsync(context.StoppedProcess, frame).ConfigureAwait(false));
        if (frame.IsInlined)
            text.Append(" [inlined]");
        text.Append(Where(context, frame, withName: false));
        if (withSource && frame.Location is { File: { } file, Line: > 0 } location && SourceLine(context.ClientPath(file), (int)location.Line) is { } code)
            text.Append(CultureInfo.InvariantCulture, $"\n{location.Line}\t{code}");
        return text.ToString();
    }

    private static string Where(CommandContext context, StackFrame frame, bool withName = true)
    {
        string name = withName ? $"{frame.Name} " : " ";
        if (frame.Location is { File: { } file, Line: > 0 } location)
            return string.Create(CultureInfo.InvariantCulture, $"{name}at {context.ClientPath(file)}:{location.Line}");
        return frame.Module is { } module ? $"{name}from {module.Path}" : withName ? frame.Name : "";
    }

    private static async Task<string> ArgumentsAsync(TargetProcess process, StackFrame frame)
    {
        try
        {
            var parameters = await process.GetFrameParametersAsync(frame.Id).ConfigureAwait(false);
            return $"({string.Join(", ", parameters.Select(p => $"{p.Name}={p.Value}"))})";
        }
        catch (Exception e) when (EngineFailure.IsUserFacing(e))
        {
            return "()";
        }
    }

    private static string? SourceLine(string path, int line)
    {
        try
        {
            if (!File.Exists(path))
                return null;
            return File.ReadLines(path).Skip(line - 1).FirstOrDefault()?.TrimEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int Count(string arguments) => arguments.Length == 0 ? DefaultFrameLimit : Math.Max(Number(arguments, "bt"), 1);

    /// <summary>A non-negative count or index given to <paramref name="command"/>.</summary>
    public static int Number(string text, string command) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new CommandFailedException($"'{command}' takes a number, not '{text.Trim()}'.");
}
