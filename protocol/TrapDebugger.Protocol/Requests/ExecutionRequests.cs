namespace TrapDebugger.Protocol.Requests;

/// <summary>Arguments of <c>continue</c>.</summary>
public sealed class ContinueArguments
{
    /// <summary>The thread the user continued.</summary>
    public int ThreadId { get; set; }

    /// <summary>Resume only this thread.</summary>
    public bool? SingleThread { get; set; }
}

/// <summary>Body of the <c>continue</c> response.</summary>
public sealed class ContinueResponseBody
{
    /// <summary>Whether all threads were resumed (the default when absent).</summary>
    public bool? AllThreadsContinued { get; set; }
}

/// <summary>Arguments of <c>next</c> (step over).</summary>
public sealed class NextArguments
{
    /// <summary>The thread to step.</summary>
    public int ThreadId { get; set; }

    /// <summary>Resume only this thread.</summary>
    public bool? SingleThread { get; set; }

    /// <summary><c>statement</c>, <c>line</c> or <c>instruction</c>.</summary>
    public string? Granularity { get; set; }
}

/// <summary>Arguments of <c>stepIn</c>.</summary>
public sealed class StepInArguments
{
    /// <summary>The thread to step.</summary>
    public int ThreadId { get; set; }

    /// <summary>Resume only this thread.</summary>
    public bool? SingleThread { get; set; }

    /// <summary>The step-in target to enter.</summary>
    public int? TargetId { get; set; }

    /// <summary><c>statement</c>, <c>line</c> or <c>instruction</c>.</summary>
    public string? Granularity { get; set; }
}

/// <summary>Arguments of <c>stepOut</c>.</summary>
public sealed class StepOutArguments
{
    /// <summary>The thread to step.</summary>
    public int ThreadId { get; set; }

    /// <summary>Resume only this thread.</summary>
    public bool? SingleThread { get; set; }

    /// <summary><c>statement</c>, <c>line</c> or <c>instruction</c>.</summary>
    public string? Granularity { get; set; }
}

/// <summary>Values of the stepping <c>granularity</c> argument.</summary>
public static class SteppingGranularities
{
    /// <summary>One statement (the default).</summary>
    public const string Statement = "statement";

    /// <summary>One source line.</summary>
    public const string Line = "line";

    /// <summary>One machine instruction.</summary>
    public const string Instruction = "instruction";
}

/// <summary>Arguments of <c>pause</c>.</summary>
public sealed class PauseArguments
{
    /// <summary>The thread to pause.</summary>
    public int ThreadId { get; set; }
}

/// <summary>Body of the <c>threads</c> response.</summary>
public sealed class ThreadsResponseBody
{
    /// <summary>All threads.</summary>
    public List<Types.DapThread> Threads { get; set; } = [];
}
