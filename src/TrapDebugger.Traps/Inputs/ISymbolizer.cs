namespace TrapDebugger.Traps;

/// <summary>One frame of an inline chain: a function and where its caller called it.</summary>
/// <param name="Name">The qualified, demangled name (as <c>llvm-addr2line -C</c> prints), e.g. <c>std::__1::vector&lt;int&gt;::operator[]</c>
/// or an artificial <c>__clang_trap_msg$Category$Message</c>.</param>
/// <param name="CallSite">Where this frame was inlined into its caller (DW_AT_call_file/line/column); null for the outermost, out-of-line function.</param>
/// <param name="IsArtificial">True when the frame's subprogram is DW_AT_artificial (a trap-message frame).</param>
public sealed record InlineFrame(string Name, SourceLocation? CallSite, bool IsArtificial = false);

/// <summary>What the debug information says about one code address.</summary>
/// <param name="Function">The out-of-line function containing the address.</param>
/// <param name="InlineChain">The frames at the address, innermost first; the last one is <paramref name="Function"/> itself.</param>
/// <param name="Line">The line-table row for the address (line 0 for compiler-generated code), or null when there is none.</param>
public sealed record SymbolizedLocation(string? Function, IReadOnlyList<InlineFrame> InlineChain, SourceLocation? Line)
{
    /// <summary>The source position of inline frame <paramref name="index"/>: the line row for frame 0, else the call site recorded in the frame below it.</summary>
    public SourceLocation? LocationOfFrame(int index) =>
        index == 0 ? Line : index < InlineChain.Count ? InlineChain[index - 1].CallSite : null;
}

/// <summary>The code range and name of one function.</summary>
/// <param name="Start">The first address of the function.</param>
/// <param name="End">The address just past its last byte.</param>
/// <param name="Name">The qualified, demangled name.</param>
public sealed record FunctionBounds(ulong Start, ulong End, string Name)
{
    /// <summary>Every address range of the function, the one holding its entry first: a function GCC split into a hot part and a
    /// <c>.cold</c> part (in .text.unlikely) has two, and a trap in one part is reached by branches in the other. Empty when
    /// [<see cref="Start"/>, <see cref="End"/>) is the whole function.</summary>
    public IReadOnlyList<CodeRange> Parts { get; init; } = [];

    /// <summary>The ranges to decode: <see cref="Parts"/>, or the single range [<see cref="Start"/>, <see cref="End"/>).</summary>
    public IReadOnlyList<CodeRange> AllParts => Parts.Count > 0 ? Parts : [new CodeRange(Start, End)];
}

/// <summary>One contiguous range of code, [<paramref name="Start"/>, <paramref name="End"/>).</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The address just past the last byte.</param>
public readonly record struct CodeRange(ulong Start, ulong End);

/// <summary>A symbol a module imports through a GOT slot.</summary>
/// <param name="Name">The symbol's name.</param>
/// <param name="IsWeakUndefined">True when the module refers to it weakly and no loaded module defines it, so the slot holds 0.</param>
public sealed record ImportedSymbol(string Name, bool IsWeakUndefined);

/// <summary>Answers debug-information questions about code addresses; the engine implements it over DWARF and ELF symbols.</summary>
public interface ISymbolizer
{
    /// <summary>The function, inline chain and line row at <paramref name="address"/>, or null when nothing describes it.</summary>
    SymbolizedLocation? Symbolize(ulong address);

    /// <summary>The function containing <paramref name="address"/>, or null when no symbol or DWARF range covers it.</summary>
    FunctionBounds? FindFunction(ulong address);

    /// <summary>The name of the source variable that lives in <paramref name="register"/> (e.g. "rdx") at <paramref name="address"/>, when known.</summary>
    /// <remarks>Used only to make evidence read like source ("i (rdx) = 8"); returning null is always correct.</remarks>
    string? VariableInRegister(ulong address, string register) => null;

    /// <summary>The imported symbol whose address the GOT slot at <paramref name="slotAddress"/> receives, or null.</summary>
    ImportedSymbol? SlotSymbol(ulong slotAddress) => null;

    /// <summary>The source expression for the memory reached from <paramref name="baseRegister"/> at the instruction at
    /// <paramref name="address"/> by loading through each of <paramref name="displacements"/> in turn ([[reg+8]+8] → "c->ops->flush"),
    /// when the register holds a variable and each step is a member of a pointed-to structure; null when it cannot be said.</summary>
    string? DescribeMemory(ulong address, string baseRegister, IReadOnlyList<long> displacements) => null;

    /// <summary>The source expression for the stack slot [<paramref name="baseRegister"/> + <paramref name="displacement"/>] at the
    /// instruction at <paramref name="address"/> (a local or parameter kept in the frame, as unoptimized code keeps them),
    /// followed by a member for each of <paramref name="displacements"/> loaded through it in turn ("w" → "w->requests");
    /// null when no variable lives in that slot.</summary>
    string? DescribeFrameSlot(ulong address, string baseRegister, long displacement, IReadOnlyList<long> displacements) => null;

    /// <summary>The C++ type a mangled type name (a <c>std::type_info</c> name such as "St12out_of_range") stands for, or null.</summary>
    string? DemangleType(string mangled) => null;
}
