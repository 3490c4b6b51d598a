using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Every trap site of a module's functions: what <c>trapdbg traps</c> lists before the program even runs.</summary>
public sealed class TrapSiteCatalog
{
    private TrapSiteCatalog(IReadOnlyList<TrapSite> sites) => Sites = sites;

    /// <summary>The trap sites, in address order.</summary>
    public IReadOnlyList<TrapSite> Sites { get; }

    /// <summary>Scans <paramref name="functions"/> for trap instructions and explains each one.</summary>
    /// <param name="functions">The functions to scan (address ranges and names). A split function may be listed once per part, each
    /// with all of its <see cref="FunctionBounds.Parts"/>: the traps in [Start, End) are listed, and the branches reaching them are
    /// searched in every part.</param>
    /// <param name="code">Reads the original code bytes (from the file, not the live process, so debugger breakpoints are not seen).</param>
    /// <param name="symbols">Symbolizes trap and branch addresses.</param>
    /// <param name="sources">Recovers messages from source when the debug information has none; optional.</param>
    /// <param name="clangVersion">The producer's Clang major version, which picks the UBSan table; optional.</param>
    public static TrapSiteCatalog Build(IEnumerable<FunctionBounds> functions, IByteSource code, ISymbolizer symbols,
        ISourceText? sources = null, int? clangVersion = null)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(symbols);
        var sites = new List<TrapSite>();
        foreach (var function in functions.DistinctBy(f => f.Start))
        {
            var view = CodeView.Load(code, function.AllParts);
            if (view is null) continue;
            for (var k = 0; k < view.Instructions.Count; k++)
            {
                var instruction = view.Instructions[k];
                if (instruction.IP < function.Start || instruction.IP >= function.End) continue;
                var trap = TrapInstruction.Classify(instruction);
                if (trap.Kind is TrapInstructionKind.None or TrapInstructionKind.OtherUndefined) continue;
                if (trap.Kind == TrapInstructionKind.Int3 && IsPadding(view, k)) continue;
                sites.Add(Describe(view, function, trap, symbols, sources, clangVersion));
            }
        }
        sites.Sort((a, b) => a.Address.CompareTo(b.Address));
        return new TrapSiteCatalog(sites);
    }

    // Alignment padding is int3 that nothing reaches: it follows an instruction that does not fall through and no branch
    // targets it. A program's own int3 (__builtin_debugtrap) is reached by straight-line code or a branch.
    private static bool IsPadding(CodeView view, int index)
    {
        var i = view.Instructions[index];
        if (view.IsBranchTarget(i.IP)) return false;
        if (index == 0 || view.IsPartStart(i.IP)) return false;
        var previous = view.Instructions[index - 1];
        if (previous.Mnemonic == Mnemonic.Int3) return IsPadding(view, index - 1);
        return previous.FlowControl is FlowControl.Return or FlowControl.UnconditionalBranch or FlowControl.IndirectBranch
            or FlowControl.Exception || previous.Mnemonic is Mnemonic.Ud2 or Mnemonic.Ud1;
    }

    private static TrapSite Describe(CodeView view, FunctionBounds function, TrapInstruction trap, ISymbolizer symbols,
        ISourceText? sources, int? clangVersion)
    {
        var at = symbols.Symbolize(trap.Address);
        (string Category, string Message)? dwarf = null;
        foreach (var frame in at?.InlineChain ?? [])
        {
            if (VerboseTrapName.TryParse(frame.Name, out var category, out var message))
            {
                dwarf = (category, message);
                break;
            }
        }
        var ubsan = trap.Kind == TrapInstructionKind.UbsanUd1 ? UbsanCheckTable.Find(trap.UbsanOrdinal!.Value, clangVersion) : null;
        var origins = TrapOriginFinder.Find(view, trap.Address, symbols, sources, null, null, dwarf, ubsan);
        var site = new TrapSite
        {
            Address = trap.Address,
            Kind = trap.Kind,
            Instruction = trap.Text,
            Function = at?.Function ?? function.Name,
            Location = at?.Line,
            UbsanCheck = ubsan,
            Origins = origins,
        };
        if (dwarf is { } d)
            return site with { Category = d.Category, Message = d.Message, MessageSource = MessageSource.Dwarf };
        var distinct = origins.Where(o => o.Message is not null).Select(o => (o.Category, o.Message, o.MessageSource)).Distinct().ToList();
        if (distinct.Count == 1)
            return site with { Category = distinct[0].Category, Message = distinct[0].Message, MessageSource = distinct[0].MessageSource };
        if (ubsan is not null)
            return site with { Category = TrapOriginFinder.UbsanCategory, Message = ubsan.Title, MessageSource = MessageSource.UbsanCheckKind };
        return site;
    }
}
