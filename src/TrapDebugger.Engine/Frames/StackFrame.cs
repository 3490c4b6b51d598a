using TrapDebugger.Dwarf;
using TrapDebugger.Engine.Model;
using TrapDebugger.Engine.Unwinding;

namespace TrapDebugger.Engine.Frames;

/// <summary>One frame of a thread's stack as the user sees it: a machine frame, or a function inlined into one.</summary>
/// <remarks>Inlined calls get frames of their own, innermost first, each with its own source position (the line being
/// executed in the innermost, the call site in the others), as lldb lists them. All frames of one machine frame share
/// its registers and pc.</remarks>
public sealed class StackFrame
{
    /// <summary>The frame's id, unique while the process stays stopped (DAP frameId).</summary>
    public required int Id { get; init; }

    /// <summary>The thread the frame belongs to.</summary>
    public required int ThreadId { get; init; }

    /// <summary>The position in the thread's frame list, 0 innermost (inlined frames counted).</summary>
    public required int Index { get; init; }

    /// <summary>The machine frame this frame is part of.</summary>
    public required PhysicalFrame Physical { get; init; }

    /// <summary>0 for the innermost function of the machine frame, 1 for the function it is inlined into, and so on.</summary>
    public required int InlineDepth { get; init; }

    /// <summary>True when this frame is a function inlined into the frame that follows it.</summary>
    public required bool IsInlined { get; init; }

    /// <summary>The function name (qualified and demangled), or a "0x…" address when nothing names the code.</summary>
    public required string Name { get; init; }

    /// <summary>The source position, or null when the code has no line information.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The module containing the code, or null for code outside any known image.</summary>
    public Module? Module { get; init; }

    /// <summary>The DW_TAG_subprogram or DW_TAG_inlined_subroutine of the frame, when DWARF describes it.</summary>
    public DwarfDie? FunctionDie { get; init; }

    /// <summary>True when the function is artificial (e.g. a __clang_trap_msg frame).</summary>
    public bool IsArtificial { get; init; }

    /// <summary>The pc of the machine frame.</summary>
    public ulong Pc => Physical.Pc;

    /// <summary>The canonical frame address of the machine frame (identifies it across steps).</summary>
    public ulong Cfa => Physical.Cfa;

    /// <summary>The address used for scope and line lookups (pc - 1 for return addresses).</summary>
    public ulong LookupPc => Physical.LookupPc;

    /// <inheritdoc/>
    public override string ToString() => $"#{Index} {Name}{(Location is { } l ? " at " + l : "")}{(IsInlined ? " [inlined]" : "")}";
}
