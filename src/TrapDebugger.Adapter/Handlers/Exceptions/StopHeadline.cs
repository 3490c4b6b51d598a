using TrapDebugger.Traps;

namespace TrapDebugger.Adapter.Handlers.Exceptions;

/// <summary>The one line a client shows first for a trap or fault stop, and the ranked origins written once in words.</summary>
/// <remarks>VS Code's exception widget prints "Exception has occurred: &lt;exceptionId&gt;" and then this line, so it leads with
/// "&lt;category&gt;: &lt;message&gt;"; how sure the ranking is follows in parentheses.</remarks>
public static class StopHeadline
{
    /// <summary>The headline of <paramref name="diagnosis"/>, e.g. "Bounds check: destination slot out of range".</summary>
    public static string Of(StopDiagnosis diagnosis)
    {
        // The engine words an uncertain merged trap "One of N merged checks; most likely …": lead with the check instead.
        string line = diagnosis is { Kind: StopKind.MergedTrap, Message: { } message, Category: { } category }
            ? VerboseTrapName.Describe(category, message) + Qualifier(diagnosis)
            : diagnosis.Description;
        return line.ReplaceLineEndings(" ");
    }

    /// <summary>The condition of an origin in words: "holds", "does not hold" or "unknown".</summary>
    public static string ConditionWords(ConditionStatus condition) => condition switch
    {
        ConditionStatus.Holds => "holds",
        ConditionStatus.DoesNotHold => "does not hold",
        _ => "unknown",
    };

    /// <summary>One ranked origin on one line: where, which check, its condition in words and the evidence.</summary>
    public static string OriginLine(TrapOrigin origin)
    {
        var where = origin.Location is { } l ? $"{Path.GetFileName(l.File)}:{l.Line}" : $"0x{origin.BranchAddress:x}";
        var what = origin.Message is { } m ? VerboseTrapName.Describe(origin.Category ?? "", m) : origin.Category ?? "check";
        var inlined = origin.InlinedFrom is { } f ? $" (inlined from {f})" : "";
        var recovered = origin.MessageSource == MessageSource.RecoveredFromSource ? " (message recovered from source)" : "";
        var evidence = origin.Evidence is { } e ? $": {e}" : "";
        return $"#{origin.Rank} {where}{inlined} {what}{recovered} — condition {ConditionWords(origin.Condition)}{evidence}";
    }

    /// <summary>The detail lines of <paramref name="diagnosis"/> without its own rendering of the origins, which <see cref="OriginLine"/> replaces.</summary>
    public static IEnumerable<string> DetailsWithoutOrigins(StopDiagnosis diagnosis) =>
        diagnosis.Details.Where(d => !diagnosis.Origins.Any(o => d.StartsWith($"#{o.Rank} 0x{o.BranchAddress:x}", StringComparison.Ordinal)));

    // Merged checks: say how the check was picked when the live registers do not single it out.
    private static string Qualifier(StopDiagnosis diagnosis)
    {
        if (diagnosis.Origins.Count < 2) return "";
        var top = diagnosis.Origins.OrderBy(o => o.Rank).First();
        int holding = diagnosis.Origins.Count(o => o.Condition == ConditionStatus.Holds);
        int confirmed = diagnosis.Origins.Count(o => o.LiveFlagsAgree);
        if (confirmed == 1 && top.LiveFlagsAgree || holding == 1 && top.Condition == ConditionStatus.Holds) return "";
        return top.Condition == ConditionStatus.DoesNotHold
            ? $" (first of {diagnosis.Origins.Count} merged checks; none matches the live registers)"
            : $" (most likely of {diagnosis.Origins.Count} merged checks)";
    }
}
