using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace TrapDebugger.Traps;

/// <summary>Explains a SIGABRT: the assertion or message glibc left in <c>__abort_msg</c>, and who called abort.</summary>
internal static partial class AbortAnalysis
{
    /// <summary>glibc maps the message in a page-rounded block; more than this is not a message.</summary>
    private const int MaxMessage = 64 * 1024;

    private static readonly string[] AssertFunctions = ["__assert_fail", "__assert_perror_fail", "__assert", "__assert_fail_base"];
    private static readonly string[] AbortFunctions = ["abort", "raise", "__pthread_kill_implementation", "__pthread_kill_internal", "pthread_kill", "__GI_raise", "__GI_abort", "gsignal"];

    // glibc: "%s%s%s:%u: %s%sAssertion `%s' failed.\n" (program name prefix, file, line, function, expression).
    [GeneratedRegex(@"^(?:(?<prog>[^:\n]*): )?(?<file>[^\n]*?):(?<line>\d+): (?:(?<func>[^\n]*?): )?Assertion `(?<expr>.*)' failed\.?\s*$", RegexOptions.Singleline)]
    private static partial Regex AssertionPattern();

    public static StopDiagnosis Diagnose(StopContext context, StopDiagnosis basis)
    {
        var frames = context.Backtrace;
        if (RustPanicAnalysis.IsPanicAbort(frames)) return RustPanicAnalysis.Aborting(context, basis);
        if (CxxExceptionAnalysis.IsTerminate(frames)) return CxxExceptionAnalysis.Uncaught(context, basis);
        if (RustPanicAnalysis.IsProcessAbort(frames)) return RustPanicAnalysis.ProcessAbort(context, basis);
        var text = ReadAbortMessage(context);
        if (text is not null)
        {
            var m = AssertionPattern().Match(text);
            if (m.Success)
            {
                var file = m.Groups["file"].Value;
                var line = int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
                var function = m.Groups["func"].Success ? m.Groups["func"].Value : null;
                var expr = m.Groups["expr"].Value;
                var landing = LandAfter(frames, AssertFunctions, "called __assert_fail")
                    ?? new LandingFrame(-1, function, new SourceLocation(file, line), "the location the assertion message names");
                return basis with
                {
                    Kind = StopKind.Assertion,
                    Category = "Assertion",
                    Message = text,
                    Description = $"Assertion failed: {expr}",
                    ShortText = "Assertion failed",
                    Details = [text, $"at {file}:{line}{(function is null ? "" : $" in {function}")}"],
                    Landing = landing,
                };
            }
        }
        var caller = LandAfter(frames, AbortFunctions, "called abort");
        var who = caller is null ? "" : $" called from {caller.Function ?? "an unknown function"}{(caller.Location is { } l ? $" at {l}" : "")}";
        return basis with
        {
            Kind = StopKind.Abort,
            Category = "Abort",
            Message = text,
            Description = text is null ? $"abort(){who}" : $"Aborted: {text}",
            ShortText = "Abort",
            Details = text is null ? [$"abort(){who}"] : [text, $"abort(){who}"],
            Landing = ProgramCaller(frames, caller),
        };
    }

    /// <summary>The frame just above the innermost frame named one of <paramref name="names"/>, skipping frames of the same family.</summary>
    private static LandingFrame? LandAfter(IReadOnlyList<BacktraceFrame> frames, string[] names, string reason)
    {
        var last = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].Function is { } f && names.Contains(GlibcName(f))) last = i;
            else if (last >= 0) break;
        }
        if (last < 0 || last + 1 >= frames.Count) return null;
        var f2 = frames[last + 1];
        return new LandingFrame(last + 1, f2.Function, f2.Location, reason);
    }

    /// <summary>When the C library itself called abort (malloc_printerr on a double free, a fortify check), the program's frame
    /// that called into it: where the user looks, and where the CLI and the DAP stop both land.</summary>
    private static LandingFrame? ProgramCaller(IReadOnlyList<BacktraceFrame> frames, LandingFrame? caller)
    {
        if (caller is null || caller.FrameIndex < 0 || caller.FrameIndex >= frames.Count || !frames[caller.FrameIndex].IsInSystemLibrary) return caller;
        for (var i = caller.FrameIndex + 1; i < frames.Count; i++)
        {
            if (frames[i].IsInSystemLibrary || frames[i].Function is null) continue;
            return new LandingFrame(i, frames[i].Function, frames[i].Location, $"the program's call into the C library ({caller.Function ?? "abort"} aborted)");
        }
        return caller;
    }

    // glibc's debug information names its internal aliases __GI_abort, __GI___assert_fail, …
    private static string GlibcName(string name) => name.StartsWith("__GI_", StringComparison.Ordinal) ? name[5..] : name;

    /// <summary>Reads glibc's <c>struct abort_msg_s { unsigned int size; char msg[]; } *__abort_msg</c>.</summary>
    public static string? ReadAbortMessage(StopContext context)
    {
        if (context.Globals?.AddressOf("__abort_msg") is not { } global || context.Memory is not { } memory) return null;
        Span<byte> word = stackalloc byte[8];
        if (memory.Read(global, word) != 8) return null;
        var block = BinaryPrimitives.ReadUInt64LittleEndian(word);
        if (block == 0) return null;
        if (memory.Read(block, word[..4]) != 4) return null;
        var size = BinaryPrimitives.ReadUInt32LittleEndian(word);
        var length = (int)Math.Min(Math.Max(size, 4u) - 4, MaxMessage);
        if (length <= 0) return null;
        var bytes = new byte[length];
        var read = memory.Read(block + 4, bytes);
        if (read <= 0) return null;
        var end = Array.IndexOf(bytes, (byte)0, 0, read);
        var text = Encoding.UTF8.GetString(bytes, 0, end < 0 ? read : end).TrimEnd();
        return text.Length == 0 ? null : text;
    }
}
