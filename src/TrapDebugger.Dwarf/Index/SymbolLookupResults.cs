using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>A source position: file path, line, column and discriminator (line 0 means "no line").</summary>
public sealed record SourceLocation(string? File, uint Line, uint Column, uint Discriminator = 0)
{
    /// <inheritdoc />
    public override string ToString() => $"{File ?? "??"}:{Line}{(Column > 0 ? ":" + Column : "")}";
}

/// <summary>One frame of the inline chain at an address: a subprogram, or a subroutine inlined into the frame after it.</summary>
/// <param name="Die">The DW_TAG_subprogram or DW_TAG_inlined_subroutine DIE.</param>
/// <param name="Name">DW_AT_name, taken from the abstract origin or specification when the DIE has none (exactly as written, e.g. <c>__clang_trap_msg$Bounds check$index out of range</c>).</param>
/// <param name="LinkageName">The mangled DW_AT_linkage_name, if any.</param>
/// <param name="QualifiedName">The name with its enclosing namespaces and classes (<c>ns::Class&lt;T&gt;::fn</c>).</param>
/// <param name="Location">Where execution is within this frame: the line row for the innermost frame, the call site of the frame inside it otherwise.</param>
/// <param name="CallSite">For an inlined subroutine: DW_AT_call_file/line/column, where it was inlined into its caller; null for a subprogram.</param>
public sealed record InlineFrame(DwarfDie Die, string? Name, string? LinkageName, string? QualifiedName, SourceLocation? Location, SourceLocation? CallSite)
{
    /// <summary>True for an inlined subroutine.</summary>
    public bool IsInlined => CallSite != null;
}

/// <summary>Everything known about one address: its inline chain (innermost first), its line row and its ELF symbol.</summary>
public sealed record AddressLookup(ulong Address, IReadOnlyList<InlineFrame> Frames, DwarfLineRow? Row, SourceLocation? Line, ElfSymbol? Symbol, DwarfUnit? Unit)
{
    /// <summary>The outermost frame: the concrete function that contains the address, or null.</summary>
    public InlineFrame? Function => Frames.Count > 0 ? Frames[^1] : null;
}

/// <summary>One frame as llvm-symbolizer / llvm-addr2line -f -i print it: a function name and a location.</summary>
public sealed record SymbolizedFrame(string FunctionName, string? File, uint Line, uint Column, uint Discriminator);

/// <summary>A function (or inlined instance) found by name, with where its code is.</summary>
public sealed record FunctionMatch(string Name, string? QualifiedName, string? LinkageName, ulong EntryAddress, IReadOnlyList<DwarfRange> Ranges, bool IsInlined, DwarfDie? Die, ElfSymbol? Symbol);

/// <summary>An address where a source line has code (the first address of an is_stmt run of that line).</summary>
public sealed record LineMatch(ulong Address, SourceLocation Location);

/// <summary>A variable or formal parameter of a scope, with its location attribute left raw for the expression evaluator.</summary>
public sealed record DwarfVariable(DwarfDie Die, string? Name, bool IsParameter, DwarfAttributeValue? Location);
