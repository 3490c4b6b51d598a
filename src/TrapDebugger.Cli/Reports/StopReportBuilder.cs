using System.Globalization;
using System.Text.Json;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Events;
using TrapDebugger.Traps;
using EngineFrame = TrapDebugger.Engine.Frames.StackFrame;

namespace TrapDebugger.Cli.Reports;

/// <summary>Reads what a report needs from a stopped process: the diagnosis, the stopped thread's backtrace, the source
/// around the landing line and one line per other thread.</summary>
public static class StopReportBuilder
{
    /// <summary>The most frames of the stopped thread a report lists.</summary>
    public const int MaxFrames = 64;

    /// <summary>The frames read per other thread while looking for one with a source position.</summary>
    private const int OtherThreadFrames = 12;

    /// <summary>Source lines shown on each side of the landing line.</summary>
    private const int SnippetContext = 2;

    /// <summary>Builds the stop part of the report for <paramref name="stop"/>; the process must be stopped.</summary>
    public static async Task<StopReport> BuildAsync(TargetProcess process, StopInfo stop)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(stop);
        var report = new StopReport { Program = process.ProgramPath, ProcessId = process.ProcessId };
        var diagnosis = stop.Diagnosis;
        var summary = diagnosis is null ? Plain(stop) : Summarize(diagnosis);
        report.Stop = summary;

        var names = ThreadNames(process);
        var (frames, total) = await FramesOfAsync(process, stop.ThreadId, MaxFrames).ConfigureAwait(false);
        var thread = new ThreadBacktrace
        {
            Id = stop.ThreadId,
            Name = names.GetValueOrDefault(stop.ThreadId),
            Frames = [.. frames.Select(ToFrame)],
            Truncated = total > frames.Count,
        };
        report.Thread = thread;
        for (int i = 0; i < frames.Count; i++)
            thread.Frames[i].Arguments = await ArgumentsOfAsync(process, frames[i]).ConfigureAwait(false);

        var landingIndex = Math.Clamp(summary.Landing?.FrameIndex ?? stop.SelectedFrameIndex, 0, Math.Max(thread.Frames.Count - 1, 0));
        if (summary.Landing is null && thread.Frames.Count > 0)
        {
            // No diagnosis landing (a pause, an unclassified signal): land on the innermost frame with a source line.
            var first = thread.Frames.FirstOrDefault(f => f.Location is { Line: > 0 } && !f.Artificial) ?? thread.Frames[0];
            landingIndex = first.Index;
            summary.Landing = new LandingPosition
            {
                FrameIndex = first.Index,
                Function = first.Function,
                File = first.Location?.File,
                Line = first.Location?.Line,
                Column = first.Location?.Column,
                Reason = "the innermost frame with source",
            };
        }
        if (thread.Frames.Count > landingIndex) thread.Frames[landingIndex].Landing = true;
        if (summary.Landing is { File: { Length: > 0 } file, Line: > 0 and int line })
            report.Source = ReadSnippet(file, line);

        foreach (var tid in names.Keys.Where(t => t != stop.ThreadId).Order())
        {
            FrameReport? chosen = null;
            try
            {
                var (other, _) = await FramesOfAsync(process, tid, OtherThreadFrames).ConfigureAwait(false);
                var mapped = other.Select(ToFrame).ToList();
                // The innermost frame whose source is on this machine is the program's own code (a thread blocked in
                // libc shows where the program called in), else the innermost with a line, else the innermost.
                chosen = mapped.FirstOrDefault(f => f.Location is { Line: > 0 } l && !f.Artificial && SourceExists(l.File))
                    ?? mapped.FirstOrDefault(f => f.Location is { Line: > 0 } && !f.Artificial)
                    ?? mapped.FirstOrDefault();
            }
            catch (EngineException)
            {
                // The thread ended between listing and unwinding: list it without a frame.
            }
            report.OtherThreads.Add(new ThreadSummary { Id = tid, Name = names.GetValueOrDefault(tid), Frame = chosen });
        }
        return report;
    }

    /// <summary>The report form of a diagnosis, with the reason line composed for the terminal.</summary>
    public static StopSummary Summarize(StopDiagnosis d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var summary = new StopSummary
        {
            Kind = TrapWireNames.KindOf(d),
            Description = d.Description,
            Signal = d.Signal,
            SignalName = d.SignalName,
            Category = d.Category,
            Message = d.Message,
            MessageSource = SourceOf(d),
            Address = d.TrapAddress is { } a ? Hex(a) : null,
            Instruction = d.Instruction,
            Function = d.Function,
            InstructionLocation = Position(d.Location),
            CheckCount = d.Origins.Count,
            Confidence = JsonNamingPolicy.CamelCase.ConvertName(d.Confidence.ToString()),
            ExceptionType = d.Exception?.Type,
            Origins = [.. d.Origins.Select(ToOrigin)],
            Fault = d.Fault is { } f ? ToFault(f) : null,
            Details = [.. d.Details],
        };
        if (d.Landing is { } l)
        {
            summary.Landing = new LandingPosition
            {
                FrameIndex = l.FrameIndex,
                Function = l.Function,
                File = l.Location is { } p && p.File.Length > 0 ? p.File : null,
                Line = l.Location?.Line,
                Column = l.Location is { Column: > 0 } c ? c.Column : null,
                Reason = l.Reason,
            };
        }
        summary.Reason = ReasonLine(d);
        return summary;
    }

    /// <summary>The headline of the stop as the analysis words it (for a merged trap, with how surely its check was picked).</summary>
    private static string ReasonLine(StopDiagnosis d) => d.Description.ReplaceLineEndings(" ");

    private static StopSummary Plain(StopInfo stop) => new()
    {
        Kind = JsonNamingPolicy.CamelCase.ConvertName(stop.Cause.ToString()),
        Reason = stop.Description,
        Description = stop.Description,
    };

    /// <summary>Where a trap's message came from. Other stops carry the analysis's own text (an assert's message read from glibc's
    /// <c>__abort_msg</c>, a fault's description), which is not a trap message: "none".</summary>
    private static string SourceOf(StopDiagnosis d) => d.Message is null ? TrapWireNames.NoMessage : TrapWireNames.Of(d.MessageSource);

    private static OriginReport ToOrigin(TrapOrigin o) => new()
    {
        Rank = o.Rank,
        Address = Hex(o.BranchAddress),
        Instruction = o.BranchInstruction,
        Location = Position(o.Location),
        InlinedFrom = o.InlinedFrom,
        Category = o.Category,
        Message = o.Message,
        MessageSource = TrapWireNames.Of(o.MessageSource),
        Condition = TrapWireNames.Of(o.Condition),
        Evidence = o.Evidence,
        LiveFlagsAgree = o.LiveFlagsAgree,
    };

    private static FaultReport ToFault(MemoryFault f) => new()
    {
        Address = Hex(f.Address),
        Access = JsonNamingPolicy.CamelCase.ConvertName(f.Access.ToString()),
        Size = f.Size,
        AddressClass = JsonNamingPolicy.CamelCase.ConvertName(f.Class.ToString()),
        BaseRegister = f.BaseRegister,
        BaseValue = f.BaseValue is { } v ? Hex(v) : null,
        Displacement = f.Displacement,
    };

    private static SourcePosition? Position(Traps.SourceLocation? location) => location is { } l
        ? new SourcePosition { File = l.File, Line = l.Line, Column = l.Column > 0 ? l.Column : null }
        : null;

    private static FrameReport ToFrame(EngineFrame f)
    {
        var frame = new FrameReport
        {
            Index = f.Index,
            Function = f.Name,
            Address = Hex(f.Pc),
            Module = f.Module?.Name,
            Location = f.Location is { } l && l.File is { } file
                ? new SourcePosition { File = file, Line = (int)l.Line, Column = l.Column > 0 ? (int)l.Column : null }
                : null,
            Inlined = f.IsInlined,
            Artificial = f.IsArtificial || f.Name.StartsWith(VerboseTrapName.ClangPrefix, StringComparison.Ordinal),
        };
        if (frame.Artificial)
            frame.Label = VerboseTrapName.TryParse(f.Name, out var category, out var message)
                ? $"verbose trap: {VerboseTrapName.Describe(category, message)}"
                : "artificial frame";
        return frame;
    }

    // The values of a frame's parameters, as gdb's and lldb's backtraces show them; a frame DWARF does not describe has none.
    private static async Task<List<ArgumentReport>?> ArgumentsOfAsync(TargetProcess process, EngineFrame frame)
    {
        if (frame.FunctionDie is null || frame.IsArtificial) return null;
        try
        {
            var parameters = await process.GetFrameParametersAsync(frame.Id).ConfigureAwait(false);
            return [.. parameters.Select(p => new ArgumentReport { Name = p.Name, Type = p.Type, Value = p.Value })];
        }
        catch (Exception e) when (e is EngineException or InvalidDataException)
        {
            return null;
        }
    }

    private static async Task<(IReadOnlyList<EngineFrame> Frames, int Total)> FramesOfAsync(TargetProcess process, int threadId, int count)
    {
        try
        {
            return await process.GetStackTraceAsync(threadId, 0, count).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            return ([], 0);
        }
    }

    private static Dictionary<int, string?> ThreadNames(TargetProcess process)
    {
        var names = new Dictionary<int, string?>();
        foreach (var t in process.Threads) names[t.Id] = t.IsNamed ? t.Name : null;
        return names;
    }

    /// <summary>Lines <paramref name="line"/> ± a few of <paramref name="file"/>, or null when the file cannot be read.</summary>
    public static SourceSnippet? ReadSnippet(string file, int line)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists || info.Length > 64 << 20) return null;
            var first = Math.Max(1, line - SnippetContext);
            var lines = new List<string>();
            var number = 0;
            foreach (var text in File.ReadLines(file))
            {
                number++;
                if (number < first) continue;
                if (number > line + SnippetContext) break;
                lines.Add(text);
            }
            return number < line ? null : new SourceSnippet { File = file, Line = line, FirstLine = first, Lines = lines };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> KnownSources = new(StringComparer.Ordinal);

    private static bool SourceExists(string file) => KnownSources.GetOrAdd(file, f => Path.IsPathRooted(f) && File.Exists(f));

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
