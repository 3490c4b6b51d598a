using System.Text.Json.Serialization;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Protocol.Types;

/// <summary>One frame of a thread's call stack.</summary>
public sealed class StackFrame
{
    /// <summary>Identifier of the frame, used by <c>scopes</c>, <c>evaluate</c> and others.</summary>
    public int Id { get; set; }

    /// <summary>The frame's name, usually the function.</summary>
    public string Name { get; set; } = "";

    /// <summary>The frame's source, when known.</summary>
    public Source? Source { get; set; }

    /// <summary>Line within the source; 0 when unknown.</summary>
    public int Line { get; set; }

    /// <summary>Column within the line; 0 when unknown.</summary>
    public int Column { get; set; }

    /// <summary>End line of the frame's range.</summary>
    public int? EndLine { get; set; }

    /// <summary>End column of the frame's range.</summary>
    public int? EndColumn { get; set; }

    /// <summary>Whether <c>restartFrame</c> works on this frame.</summary>
    public bool? CanRestart { get; set; }

    /// <summary>Memory reference of the frame's current instruction (an address such as <c>0x401000</c>).</summary>
    public string? InstructionPointerReference { get; set; }

    /// <summary>The module of the frame (a number or a string on the wire).</summary>
    [JsonConverter(typeof(NumberOrStringConverter))]
    public string? ModuleId { get; set; }

    /// <summary><c>normal</c>, <c>label</c> or <c>subtle</c>.</summary>
    public string? PresentationHint { get; set; }
}

/// <summary>Values of <see cref="StackFrame.PresentationHint"/>.</summary>
public static class StackFramePresentationHints
{
    /// <summary>An ordinary frame.</summary>
    public const string Normal = "normal";

    /// <summary>A separator row, e.g. "[frames below are from libc]".</summary>
    public const string Label = "label";

    /// <summary>A frame shown dimmed, e.g. a runtime frame.</summary>
    public const string Subtle = "subtle";
}

/// <summary>Formatting of values.</summary>
public class ValueFormat
{
    /// <summary>Show values in hexadecimal.</summary>
    public bool? Hex { get; set; }
}

/// <summary>Formatting of stack frame names.</summary>
public sealed class StackFrameFormat : ValueFormat
{
    /// <summary>Show parameters.</summary>
    public bool? Parameters { get; set; }

    /// <summary>Show parameter types.</summary>
    public bool? ParameterTypes { get; set; }

    /// <summary>Show parameter names.</summary>
    public bool? ParameterNames { get; set; }

    /// <summary>Show parameter values.</summary>
    public bool? ParameterValues { get; set; }

    /// <summary>Show the line number.</summary>
    public bool? Line { get; set; }

    /// <summary>Show the module.</summary>
    public bool? Module { get; set; }

    /// <summary>Include all frames, also hidden ones.</summary>
    public bool? IncludeAll { get; set; }
}
