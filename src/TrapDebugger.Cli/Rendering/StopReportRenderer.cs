using System.Globalization;
using Spectre.Console;
using TrapDebugger.Cli.Reports;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Rendering;

/// <summary>Prints a <see cref="StopReport"/> for people: the reason, the message, the ranked checks with their evidence,
/// the source around the landing line, the backtrace and the other threads.</summary>
public static class StopReportRenderer
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="console"/>.</summary>
    public static void Render(IAnsiConsole console, StopReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Stop is { } stop)
        {
            RenderStop(console, report, stop);
            if (report.Source is { } snippet) RenderSource(console, snippet);
            if (report.Thread is { } thread) RenderBacktrace(console, thread);
            RenderOtherThreads(console, report.OtherThreads);
        }
        console.MarkupLine(EndLine(report));
    }

    private static void RenderStop(IAnsiConsole console, StopReport report, StopSummary stop)
    {
        var what = stop.SignalName.Length > 0 ? stop.SignalName : stop.Kind;
        var where = stop.Function is { } f ? $" in {E(f)}" : "";
        var forked = report.ForkedFrom is { } parent ? $" (forked by process {parent})" : "";
        console.MarkupLine($"[bold]Process {report.ProcessId}{forked} stopped[/] ({E(what)}{where})");
        console.MarkupLine($"  [bold red]{E(stop.Reason)}[/]");
        if (stop.Message is { } message)
        {
            var source = stop.MessageSource switch
            {
                TrapWireNames.DwarfMessage => "from the debug information",
                TrapWireNames.RecoveredMessage => "recovered from the source line: the debug information has no message at this trap",
                TrapWireNames.UbsanCheckMessage => "the UBSan check its ud1 encodes",
                TrapWireNames.InferredMessage => "inferred from the check's code: the trap carries no message",
                _ => null,
            };
            console.MarkupLine($"  message:  {E(message)}{(source is null ? "" : $" [dim]({E(source)})[/]")}");
        }
        if (stop.Landing is { File: not null } l)
            console.MarkupLine($"  at:       [bold]{E(Location(l.File, l.Line, l.Column))}[/]{(l.Function is { } lf ? $" in {E(lf)}" : "")} [dim]({E(l.Reason ?? "")})[/]");
        if (stop.Instruction is { } instruction)
        {
            var line = stop.InstructionLocation is { } il ? $" ({E(Location(il.File, il.Line, il.Column))})" : "";
            console.MarkupLine($"  stopped:  {E(instruction)} at {E(stop.Address ?? "?")}{line}");
        }
        if (stop.Fault is { } fault)
        {
            var operand = fault.BaseRegister is { } r ? $"; [[{E(r)}{(fault.Displacement != 0 ? (fault.Displacement > 0 ? "+" : "-") + "0x" + Math.Abs(fault.Displacement).ToString("x", CultureInfo.InvariantCulture) : "")}]] with {E(r)} = {E(fault.BaseValue ?? "?")}" : "";
            console.MarkupLine($"  access:   {E(fault.Access)} of {fault.Size} bytes at {E(fault.Address)} ({E(fault.AddressClass)}){operand}");
        }
        if (stop.Origins.Count > 0)
        {
            console.WriteLine();
            console.MarkupLine(stop.Origins.Count > 1
                ? $"[bold]Checks that reach the trap[/] ({stop.Origins.Count}, most likely first)"
                : "[bold]Check that reaches the trap[/]");
            foreach (var o in stop.Origins)
            {
                var at = o.Location is { } p ? Location(p.File, p.Line, p.Column) : o.Address;
                var text = o.Message is { } m ? (o.Category is { Length: > 0 } c ? $"{c}: {m}" : m) : "(no message)";
                var inlined = o.InlinedFrom is { } from ? $" [dim](inlined from {E(from)})[/]" : "";
                var condition = o.Condition switch
                {
                    TrapWireNames.Holds => "[green]condition holds[/]",
                    TrapWireNames.DoesNotHold => "[dim]condition does not hold[/]",
                    _ => "[yellow]condition unknown[/]",
                };
                var evidence = o.Evidence is { Length: > 0 } ev ? $": {E(ev)}" : "";
                var style = o.Rank == 1 ? "bold" : "default";
                console.MarkupLine($"  [{style}]#{o.Rank}[/] {E(at)}  [{style}]{E(text)}[/]{inlined}");
                console.MarkupLine($"      {condition}{evidence}{(o.LiveFlagsAgree ? " [dim](live flags agree)[/]" : "")}");
            }
        }
    }

    private static void RenderSource(IAnsiConsole console, SourceSnippet snippet)
    {
        console.WriteLine();
        console.MarkupLine($"[bold]Source[/] {E(snippet.File)}");
        var width = (snippet.FirstLine + snippet.Lines.Count).ToString(CultureInfo.InvariantCulture).Length;
        for (var k = 0; k < snippet.Lines.Count; k++)
        {
            var number = snippet.FirstLine + k;
            var text = snippet.Lines[k].Replace("\t", "    ", StringComparison.Ordinal);
            var label = number.ToString(CultureInfo.InvariantCulture).PadLeft(width);
            console.MarkupLine(number == snippet.Line
                ? $"[bold yellow]->{label} | {E(text)}[/]"
                : $"  [dim]{label} |[/] {E(text)}");
        }
    }

    private static void RenderBacktrace(IAnsiConsole console, ThreadBacktrace thread)
    {
        console.WriteLine();
        console.MarkupLine($"[bold]Backtrace[/] of thread {thread.Id}{(thread.Name is { } n ? $" \"{E(n)}\"" : "")}");
        foreach (var f in thread.Frames)
        {
            var marker = f.Landing ? "[bold yellow]*[/]" : " ";
            var name = f.Label is { } label ? $"[italic]<{E(label)}>[/]" : $"[bold]{E(f.Function)}[/]{Arguments(f)}";
            var at = f.Location is { } l ? $" at {E(Location(l.File, l.Line, l.Column))}" : "";
            var module = f.Location is null && f.Module is { } m ? $" [dim]({E(m)})[/]" : "";
            var inlined = f.Inlined ? " [dim][[inlined]][/]" : "";
            console.MarkupLine($"{marker} #{f.Index,-2} [dim]{E(f.Address)}[/] {name}{at}{module}{inlined}");
        }
        if (thread.Truncated) console.MarkupLine("  [dim]… (more frames)[/]");
    }

    // "(index=5, name="crate")", as gdb and lldb print a frame's arguments; a long value is cut so the line stays readable.
    private static string Arguments(FrameReport f)
    {
        if (f.Arguments is not { } arguments) return "";
        const int MaxValue = 48;
        var parts = arguments.Select(a => $"{a.Name}={(a.Value.Length > MaxValue ? a.Value[..MaxValue] + "…" : a.Value)}");
        return $"[dim]({E(string.Join(", ", parts))})[/]";
    }

    private static void RenderOtherThreads(IAnsiConsole console, List<ThreadSummary> threads)
    {
        if (threads.Count == 0) return;
        console.WriteLine();
        console.MarkupLine($"[bold]Other threads[/] ({threads.Count})");
        // Threads waiting at the same place (a pool of workers) are one line.
        foreach (var group in threads.GroupBy(t => (Frame: FrameText(t.Frame), t.Name)))
        {
            var ids = group.Select(t => t.Id).ToList();
            var who = ids.Count == 1 ? $"thread {ids[0]}" : $"{ids.Count} threads ({string.Join(", ", ids.Take(4))}{(ids.Count > 4 ? ", …" : "")})";
            console.MarkupLine($"  {who}{(group.Key.Name is { } n ? $" \"{E(n)}\"" : "")}: {group.Key.Frame}");
        }
    }

    private static string FrameText(FrameReport? f) => f is null
        ? "[dim](no frames)[/]"
        : $"{E(f.Label ?? f.Function)}{(f.Location is { } l ? $" at {E(Location(l.File, l.Line, l.Column))}" : f.Module is { } m ? $" [dim]({E(m)})[/]" : "")}";

    private static string EndLine(StopReport report)
    {
        var end = report.End;
        var check = end.DebuggerCheck is { } c ? $"; {E(c)}" : "";
        return end.How switch
        {
            "exited" => $"Process {report.ProcessId} exited with status {end.ExitCode}{check}",
            "signaled" => $"Process {report.ProcessId} was killed by {E(SignalName(end.Signal))}; exit status {end.Status}{check}",
            "killed" when end.Signal is null => $"\nProcess {report.ProcessId} killed by the debugger; exit status {end.Status}{check}",
            "killed" => $"\nProcess {report.ProcessId} killed by the debugger (it would have died of {E(SignalName(end.Signal))}){WrittenCore(report)}; exit status {end.Status}{check}",
            "detached" => $"\nDetached from process {report.ProcessId}; it keeps running",
            "dumped" when end.Signal is null => $"\nCore of process {report.ProcessId}{CoreName(report)}, written while it ran; exit status {end.Status}",
            "dumped" => $"\nProcess {report.ProcessId} died of {E(SignalName(end.Signal))}{CoreName(report)}; exit status {end.Status}",
            _ => $"Process {report.ProcessId}: {E(end.How)}",
        };
    }

    private static string WrittenCore(StopReport report) => report.Core is { } core ? $"; core written to {E(core)}" : "";

    private static string CoreName(StopReport report) => report.Core is { } core ? $" (core file {E(core)})" : "";

    private static string SignalName(int? signal) => signal is { } s ? Signals.Name(s) : "a signal";

    // Line 0 is code no source line describes (a merged trap): the file alone says where it is.
    private static string Location(string file, int? line, int? column) => line is not > 0 ? file
        : $"{file}:{line.Value.ToString(CultureInfo.InvariantCulture)}{(column is > 0 ? ":" + column.Value.ToString(CultureInfo.InvariantCulture) : "")}";

    // Messages can end in a newline (libc++ writes its assertion text as a line): one report line each.
    private static string E(string text) => Markup.Escape(text.TrimEnd());
}
