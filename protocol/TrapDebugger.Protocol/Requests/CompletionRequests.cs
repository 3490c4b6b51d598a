namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>completions</c>: what is typed so far in the Debug Console and where the cursor is.</summary>
public sealed class CompletionsArguments
{
    /// <summary>The frame whose names are offered; the stopped thread's innermost frame when absent.</summary>
    public int? FrameId { get; set; }

    /// <summary>The text typed so far (possibly several lines).</summary>
    public string Text { get; set; } = "";

    /// <summary>The cursor's column in <see cref="Text"/>, 1-based unless the client said otherwise.</summary>
    public int Column { get; set; }

    /// <summary>The cursor's line in <see cref="Text"/>, for multi-line text.</summary>
    public int? Line { get; set; }
}

/// <summary>Body of the <c>completions</c> response.</summary>
public sealed class CompletionsResponseBody
{
    /// <summary>The candidates.</summary>
    public List<CompletionItem> Targets { get; set; } = [];
}

/// <summary>One completion candidate.</summary>
public sealed class CompletionItem
{
    /// <summary>What the client shows (and inserts when <see cref="Text"/> is absent).</summary>
    public string Label { get; set; } = "";

    /// <summary>What is inserted, when it differs from the label.</summary>
    public string? Text { get; set; }

    /// <summary>What the client sorts by.</summary>
    public string? SortText { get; set; }

    /// <summary>A short description shown beside the label (a type, a command's summary).</summary>
    public string? Detail { get; set; }

    /// <summary><c>variable</c>, <c>property</c>, <c>function</c>, <c>keyword</c>…</summary>
    public string? Type { get; set; }

    /// <summary>Where in the text the insertion starts (same base as the request's column); the request's column when absent.</summary>
    public int? Start { get; set; }

    /// <summary>How many characters from <see cref="Start"/> the insertion replaces.</summary>
    public int? Length { get; set; }
}
