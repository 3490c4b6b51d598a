namespace TrapDebugger.Traps;

/// <summary>The words of a stop, in one place: the headline of a merged trap with how surely its check was picked, and one
/// line per ranked origin. The adapter and the CLI render these; neither words a stop itself.</summary>
public static class StopWording
{
    /// <summary>How surely the first of <paramref name="origins"/> (ranked) is the check that fired.</summary>
    public static PickConfidence ConfidenceOf(IReadOnlyList<TrapOrigin> origins)
    {
        if (origins.Count < 2) return PickConfidence.Only;
        var top = origins[0];
        var holding = origins.Count(o => o.Condition == ConditionStatus.Holds);
        var confirmed = origins.Count(o => o.LiveFlagsAgree);
        if (confirmed == 1 && top.LiveFlagsAgree || holding == 1 && top.Condition == ConditionStatus.Holds) return PickConfidence.Confirmed;
        return top.Condition == ConditionStatus.DoesNotHold ? PickConfidence.Unmatched : PickConfidence.Likely;
    }

    /// <summary>The headline of a trap reached by <paramref name="origins"/> whose pick reads <paramref name="check"/>:
    /// "Bounds check: index out of range (1 of 3 merged checks; condition holds: rdx = 9 ≥ 8)".</summary>
    public static string Headline(string check, PickConfidence confidence, IReadOnlyList<TrapOrigin> origins)
    {
        if (confidence == PickConfidence.Only || origins.Count == 0) return check;
        var top = origins[0];
        var n = origins.Count;
        var evidence = top.Evidence is { Length: > 0 } e ? e : null;
        var why = confidence switch
        {
            PickConfidence.Confirmed when top.Condition == ConditionStatus.Holds => $"1 of {n} merged checks; condition holds{(evidence is null ? "" : $": {evidence}")}",
            PickConfidence.Confirmed => $"1 of {n} merged checks; the live flags agree{(evidence is null ? "" : $": {evidence}")}",
            PickConfidence.Unmatched => $"1 of {n} merged checks; none matches the live registers, listed first by position",
            _ => $"1 of {n} merged checks; most likely{(evidence is null ? "" : $": {evidence}")}",
        };
        return $"{check} ({why})";
    }

    /// <summary>What a check is: its category and message, or where it is when it has none.</summary>
    public static string CheckText(TrapOrigin origin)
    {
        if (origin.Message is null)
            return origin.Category is { } c ? $"{c} at {Where(origin)}" : $"the check at {Where(origin)}";
        var text = VerboseTrapName.Describe(origin.Category ?? "", origin.Message);
        return origin.MessageSource == MessageSource.RecoveredFromSource ? text + " (message recovered from source)" : text;
    }

    /// <summary>One ranked origin on one line: "#1 main.c:12 (inlined from f) Bounds check: … — condition holds: rdx = 9 ≥ 8".</summary>
    public static string OriginLine(TrapOrigin origin)
    {
        var where = origin.Location is { Line: > 0 } l ? $"{Path.GetFileName(l.File)}:{l.Line}" : $"0x{origin.BranchAddress:x}";
        var what = origin.Message is { } m ? VerboseTrapName.Describe(origin.Category ?? "", m) : origin.Category ?? "check";
        var inlined = origin.InlinedFrom is { } f ? $" (inlined from {f})" : "";
        var recovered = origin.MessageSource == MessageSource.RecoveredFromSource ? " (message recovered from source)" : "";
        var evidence = origin.Evidence is { } e ? $": {e}" : "";
        return $"#{origin.Rank} {where}{inlined} {what}{recovered} — condition {ConditionWords(origin.Condition)}{evidence}";
    }

    /// <summary>The condition of an origin in words: "holds", "does not hold" or "unknown".</summary>
    public static string ConditionWords(ConditionStatus condition) => condition switch
    {
        ConditionStatus.Holds => "holds",
        ConditionStatus.DoesNotHold => "does not hold",
        _ => "unknown",
    };

    private static string Where(TrapOrigin origin) => origin.Location is { Line: > 0 } l ? l.ToString() : $"0x{origin.BranchAddress:x}";
}
