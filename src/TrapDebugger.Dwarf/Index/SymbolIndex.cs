using System.Collections.Concurrent;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>Answers the questions a debugger asks of one module: address → function, inline chain and line; name → addresses; file:line → addresses; functions and scopes.</summary>
/// <remarks>Addresses are link-time addresses (subtract the load bias first). Units are indexed lazily, each once;
/// a name query parses only the units whose strings can name it, and <see cref="IndexAll"/> builds the whole name index in parallel.</remarks>
public sealed class SymbolIndex : IDisposable
{
    private readonly ConcurrentDictionary<DwarfUnit, UnitFunctions> _unitFunctions = new();
    private readonly Lazy<(ulong Low, ulong High, DwarfUnit Unit)[]> _unitRanges;
    private readonly Lazy<Dictionary<string, List<(DwarfUnit Unit, int Index)>>> _names;
    private readonly Lazy<LlvmSymbol[]> _llvmSymbols;
    private readonly IDisposable[] _owned;
    private readonly UnitNameFilter _nameFilter;
    private readonly Lazy<IReadOnlyList<DwarfNameIndex>?> _nameIndexes;
    private readonly SourceLineIndex _lines;
    // The answers of Lookup for the addresses asked about lately: a debugger stepping a loop, or deciding a breakpoint's
    // condition at every hit, asks about the same few addresses again and again.
    private readonly ConcurrentDictionary<ulong, AddressLookup> _recentLookups = new();
    private const int RecentLookupLimit = 4096;

    /// <summary>Indexes <paramref name="elf"/> (symbols) and <paramref name="dwarf"/> (debug information, possibly from a separate debug file).</summary>
    public SymbolIndex(ElfFile elf, DwarfFile dwarf, params IDisposable[] owned)
    {
        Elf = elf;
        Dwarf = dwarf;
        _owned = owned;
        _unitRanges = new(BuildUnitRanges);
        _names = new(BuildNameIndex);
        _llvmSymbols = new(BuildLlvmSymbols);
        _nameFilter = new UnitNameFilter(dwarf);
        _nameIndexes = new(ReadNameIndexes);
        _lines = new SourceLineIndex(dwarf, DieUnit);
    }

    /// <summary>Whether name queries may use .debug_names when it covers every compile unit (true by default; false
    /// makes them filter and parse units, which gives the same answers).</summary>
    public bool UseNameIndex { get; set; } = true;

    /// <summary>The name indexes of .debug_names when they cover every compile unit and can be read; null otherwise.</summary>
    public IReadOnlyList<DwarfNameIndex>? NameIndexes => _nameIndexes.Value;

    /// <summary>The ELF file whose symbols are used.</summary>
    public ElfFile Elf { get; }

    /// <summary>The DWARF being indexed.</summary>
    public DwarfFile Dwarf { get; }

    /// <summary>The separate debug file the DWARF came from, or null when it is in the file itself.</summary>
    public string? DebugFilePath { get; private init; }

    /// <summary>Opens <paramref name="path"/> and, when it has no DWARF of its own, its separate debug file found by <paramref name="locator"/>.</summary>
    public static SymbolIndex Open(string path, DebugFileLocator? locator = null)
    {
        var elf = ElfFile.Open(path);
        try
        {
            if (elf.FindSection(".debug_info") == null && elf.FindSection(".zdebug_info") == null
                && (locator ?? new DebugFileLocator()).Locate(elf, path) is { } debugPath)
            {
                var debug = ElfFile.Open(debugPath);
                try
                {
                    var separate = DwarfFile.FromElf(debug);
                    var splitFiles = separate.SplitFiles = new SplitDwarfFiles(separate, path);
                    return new SymbolIndex(elf, separate, elf, debug, splitFiles) { DebugFilePath = debugPath };
                }
                catch
                {
                    debug.Dispose();
                    throw;
                }
            }
            var dwarf = DwarfFile.FromElf(elf);
            var split = dwarf.SplitFiles = new SplitDwarfFiles(dwarf, path);
            return new SymbolIndex(elf, dwarf, elf, split);
        }
        catch
        {
            elf.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var o in _owned) o.Dispose();
    }

    // ---- address -> function, inline chain, line ----

    /// <summary>The compile unit whose ranges contain <paramref name="address"/>, or null.</summary>
    public DwarfUnit? UnitFor(ulong address)
    {
        var ranges = _unitRanges.Value;
        int i = UpperBound(ranges, address) - 1;
        for (int k = i; k >= 0 && k > i - 64; k--)
            if (address >= ranges[k].Low && address < ranges[k].High)
                return DieUnit(ranges[k].Unit);
        return null;
    }

    /// <summary>Everything known about <paramref name="address"/>: inline chain (innermost first), line row and ELF symbol.</summary>
    /// <remarks>The answer is immutable and remembered for the addresses asked about lately.</remarks>
    public AddressLookup Lookup(ulong address)
    {
        if (_recentLookups.TryGetValue(address, out var known)) return known;
        var answer = LookupUncached(address);
        if (_recentLookups.Count >= RecentLookupLimit) _recentLookups.Clear();
        _recentLookups[address] = answer;
        return answer;
    }

    private AddressLookup LookupUncached(ulong address)
    {
        var symbol = Elf.Symbols.FindByAddress(address);
        var unit = UnitFor(address);
        if (unit == null)
            return new AddressLookup(address, [], null, null, symbol, null);
        var program = unit.LineProgram;
        DwarfLineRow? row = program?.RowFor(address);
        SourceLocation? line = row is { } rw ? LocationOf(program!, rw) : null;
        var chain = InlineChain(unit, address);
        var frames = new List<InlineFrame>(chain.Count);
        for (int i = 0; i < chain.Count; i++)
        {
            var die = chain[i];
            SourceLocation? callSite = die.Tag == DwarfTag.InlinedSubroutine ? CallSiteOf(die, program) : null;
            var location = i == 0 ? line : frames[i - 1].CallSite;
            frames.Add(new InlineFrame(die, die.ShortName, die.LinkageName, QualifiedName(die), location, callSite));
        }
        return new AddressLookup(address, frames, row, line, symbol, unit);
    }

    /// <summary>The source position of the line row describing <paramref name="address"/> (what <see cref="Lookup"/>
    /// gives as its line, without building the inline chain), or null.</summary>
    public SourceLocation? LineAt(ulong address)
    {
        if (UnitFor(address)?.LineProgram is not { } program || program.RowFor(address) is not { } row) return null;
        return LocationOf(program, row);
    }

    private static SourceLocation LocationOf(DwarfLineProgram program, DwarfLineRow row) =>
        new(program.FilePath(row.File), row.Line, row.Column, row.Discriminator);

    /// <summary>The frames llvm-addr2line -f -i prints for <paramref name="address"/> (mangled names; outermost name from the symbol table as llvm-symbolizer does).</summary>
    public IReadOnlyList<SymbolizedFrame> Symbolize(ulong address)
    {
        var lookup = Lookup(address);
        var result = new List<SymbolizedFrame>();
        if (lookup.Frames.Count == 0)
            result.Add(new SymbolizedFrame("??", lookup.Line?.File, lookup.Line?.Line ?? 0, lookup.Line?.Column ?? 0, lookup.Line?.Discriminator ?? 0));
        foreach (var f in lookup.Frames)
            result.Add(new SymbolizedFrame(f.LinkageName ?? f.Name ?? "??", f.Location?.File, f.Location?.Line ?? 0, f.Location?.Column ?? 0, f.Location?.Discriminator ?? 0));
        // llvm-symbolizer replaces the outermost frame's name with the ELF symbol covering the address.
        // When DWARF knows nothing of the address, a local symbol's STT_FILE name stands in for the file
        // (llvm-symbolizer does this only for frames it had to invent, not for DWARF frames without a line row).
        if (FindLlvmSymbol(address) is { } symbol)
            result[^1] = result[^1] with
            {
                FunctionName = symbol.Name,
                File = lookup.Frames.Count == 0 && result[^1].File == null && !string.IsNullOrEmpty(symbol.FileName) ? symbol.FileName : result[^1].File,
            };
        return result;
    }

    /// <summary>The scopes containing <paramref name="address"/>, innermost first: lexical blocks, inlined subroutines and the subprogram.</summary>
    public IReadOnlyList<DwarfDie> ScopesAt(ulong address)
    {
        var unit = UnitFor(address);
        if (unit == null) return [];
        var scopes = new List<DwarfDie>();
        if (FunctionsOf(unit).Find(address) is not { } sub) return scopes;
        scopes.Add(sub);
        Descend(sub, address, scopes, subroutinesOnly: false);
        scopes.Reverse();
        return scopes;
    }

    /// <summary>The formal parameters and variables declared directly in <paramref name="scope"/> (a subprogram, inlined subroutine or lexical block).</summary>
    public static IReadOnlyList<DwarfVariable> VariablesOf(DwarfDie scope)
    {
        var list = new List<DwarfVariable>();
        foreach (var c in scope.Children)
            if (c.Tag is DwarfTag.FormalParameter or DwarfTag.Variable)
                list.Add(new DwarfVariable(c, c.ShortName, c.Tag == DwarfTag.FormalParameter, c.Find(DwarfAttribute.Location)));
        return list;
    }

    private List<DwarfDie> InlineChain(DwarfUnit unit, ulong address)
    {
        var chain = new List<DwarfDie>();
        if (FunctionsOf(unit).Find(address) is not { } sub) return chain;
        chain.Add(sub);
        Descend(sub, address, chain, subroutinesOnly: true);
        chain.Reverse();
        return chain;
    }

    // Follows the children that contain the address; DIEs without ranges are looked through, as LLVM does.
    private static void Descend(DwarfDie die, ulong address, List<DwarfDie> into, bool subroutinesOnly)
    {
        for (int depth = 0; depth < 256; depth++)
        {
            DwarfDie? next = null;
            foreach (var c in die.Children)
            {
                if (c.Tag is not (DwarfTag.InlinedSubroutine or DwarfTag.LexicalBlock or DwarfTag.TryBlock or DwarfTag.CatchBlock))
                    continue;
                if (!c.HasChildren && c.Tag != DwarfTag.InlinedSubroutine) continue;
                var ranges = c.Ranges;
                if (ranges.Count == 0 ? ContainsDeep(c, address) : ranges.Any(r => r.Contains(address)))
                {
                    next = c;
                    break;
                }
            }
            if (next is not { } n) return;
            if (!subroutinesOnly || n.Tag == DwarfTag.InlinedSubroutine)
                into.Add(n);
            die = n;
        }
    }

    private static bool ContainsDeep(DwarfDie die, ulong address)
    {
        foreach (var c in die.Children)
        {
            if (c.Tag is not (DwarfTag.InlinedSubroutine or DwarfTag.LexicalBlock)) continue;
            var ranges = c.Ranges;
            if (ranges.Count == 0 ? ContainsDeep(c, address) : ranges.Any(r => r.Contains(address)))
                return true;
        }
        return false;
    }

    private static SourceLocation? CallSiteOf(DwarfDie die, DwarfLineProgram? program)
    {
        var file = die.Find(DwarfAttribute.CallFile)?.AsUnsigned();
        uint line = (uint)(die.Find(DwarfAttribute.CallLine)?.AsUnsigned() ?? 0);
        uint column = (uint)(die.Find(DwarfAttribute.CallColumn)?.AsUnsigned() ?? 0);
        uint discriminator = (uint)(die.Find(DwarfAttribute.GnuDiscriminator)?.AsUnsigned() ?? 0);
        return new SourceLocation(file is { } f ? program?.FilePath(f) : null, line, column, discriminator);
    }

    // ---- names ----

    /// <summary>The name of <paramref name="die"/> with its enclosing namespaces, classes, structures and unions (<c>ns::Class&lt;T&gt;::fn</c>).</summary>
    public static string? QualifiedName(DwarfDie die)
    {
        string? name = die.ShortName;
        if (name == null) return null;
        // The declaration (reached through abstract_origin and specification) sits in the scope that names it.
        var decl = die;
        for (int hops = 0; hops < 8; hops++)
        {
            var next = decl.Reference(DwarfAttribute.AbstractOrigin) ?? decl.Reference(DwarfAttribute.Specification);
            if (next is not { } n || n == decl) break;
            decl = n;
        }
        var parts = new List<string> { name };
        for (var p = decl.Parent; p is { } scope; p = scope.Parent)
        {
            string? part = scope.Tag switch
            {
                DwarfTag.Namespace => scope.Name ?? "(anonymous namespace)",
                DwarfTag.ClassType => scope.Name ?? "(anonymous class)",
                DwarfTag.StructureType or DwarfTag.InterfaceType => scope.Name ?? "(anonymous struct)",
                DwarfTag.UnionType => scope.Name ?? "(anonymous union)",
                DwarfTag.EnumerationType => scope.Name ?? "(anonymous enum)",
                DwarfTag.Subprogram => scope.ShortName ?? "(anonymous function)",
                DwarfTag.LexicalBlock => "",
                _ => null, // the unit: the scope chain ends here
            };
            if (part == null) break;
            if (part.Length > 0) parts.Add(part);
        }
        parts.Reverse();
        return string.Join("::", parts);
    }

    /// <summary>Every function, inlined instance or ELF function symbol called <paramref name="name"/> (plain, qualified or linkage name).</summary>
    public IReadOnlyList<FunctionMatch> FindFunctions(string name)
    {
        var result = new List<FunctionMatch>();
        var covered = new HashSet<ulong>();
        foreach (var (unit, index) in DiesNamed(name))
        {
            var die = new DwarfDie(unit, index);
            var ranges = die.Ranges;
            if (ranges.Count == 0) continue;
            ulong entry = die.Find(DwarfAttribute.EntryPc) is { } e && e.IsAddress ? e.AsAddress() : ranges.Min(r => r.Low);
            result.Add(new FunctionMatch(die.ShortName ?? name, QualifiedName(die), die.LinkageName, entry, ranges,
                die.Tag == DwarfTag.InlinedSubroutine, die, Elf.Symbols.FindByAddress(entry)));
            covered.Add(entry);
        }
        foreach (var s in Elf.Symbols.FindByName(name))
        {
            if (!s.IsFunction || !covered.Add(s.Value)) continue;
            result.Add(new FunctionMatch(s.Name, null, null, s.Value, s.Size > 0 ? [new DwarfRange(s.Value, s.Value + s.Size)] : [], false, null, s));
        }
        return result;
    }

    /// <summary>Every definition of a global or static variable (at file, namespace or class scope, with a location or a
    /// constant) whose plain, qualified or linkage name is <paramref name="name"/>, in unit order.</summary>
    /// <remarks>Parses only the units whose strings can name it (see <see cref="UnitNameFilter"/>); variables local to a
    /// function, even static ones, are found through the function's scopes instead.</remarks>
    public IReadOnlyList<DwarfDie> FindVariables(string name)
    {
        var candidates = _nameFilter.Candidates(name);
        var found = new List<DwarfDie>[candidates.Count];
        InParallel(candidates.Count, i =>
        {
            var local = found[i] = [];
            foreach (var die in DieUnit(candidates[i]).Dies)
            {
                if (die.Tag != DwarfTag.Variable || die.Has(DwarfAttribute.Declaration)) continue;
                if (!die.Has(DwarfAttribute.Location) && !die.Has(DwarfAttribute.ConstValue)) continue;
                if (die.Parent is not { Tag: DwarfTag.CompileUnit or DwarfTag.PartialUnit or DwarfTag.Namespace or DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType }) continue;
                if (die.ShortName == name || die.LinkageName == name || QualifiedName(die) == name) local.Add(die);
            }
        });
        return [.. found.SelectMany(l => l)];
    }

    /// <summary>Every concrete function (DW_TAG_subprogram with code) of the module, and ELF function symbols that DWARF does not describe.</summary>
    public IEnumerable<FunctionMatch> Functions()
    {
        var seen = new HashSet<ulong>();
        foreach (var unit in Dwarf.CompileUnits)
        {
            var functions = FunctionsOf(unit);
            foreach (var (low, _, index) in functions.Entries)
            {
                var die = new DwarfDie(functions.Unit, index);
                if (die.Tag != DwarfTag.Subprogram || !seen.Add(low)) continue;
                yield return new FunctionMatch(die.ShortName ?? "??", QualifiedName(die), die.LinkageName, low, die.Ranges, false, die, Elf.Symbols.FindByAddress(low));
            }
        }
        foreach (var s in Elf.Symbols.ByAddress)
            if (s.IsFunction && s.Size > 0 && seen.Add(s.Value))
                yield return new FunctionMatch(s.Name, null, null, s.Value, [new DwarfRange(s.Value, s.Value + s.Size)], false, null, s);
    }

    /// <summary>Forces every unit to be parsed and indexed (in parallel); later queries then only read.</summary>
    public void IndexAll() => _ = _names.Value;

    // ---- file:line ----

    /// <summary>The addresses where line <paramref name="line"/> of <paramref name="file"/> (a path or a path suffix) has code; if it has none, those of the next line that does.</summary>
    /// <remarks>Answered from an index of the module's line tables built once per file asked about; a module whose line
    /// programs do not name the file answers from their headers alone.</remarks>
    public IReadOnlyList<LineMatch> FindLine(string file, uint line) => _lines.FindLine(file, line);

    /// <summary>The entries of the inlined calls made from line <paramref name="line"/> of <paramref name="file"/>
    /// (DW_TAG_inlined_subroutine whose DW_AT_call_file and DW_AT_call_line name it): the lowest one in each scope that
    /// makes such calls, as lldb places a breakpoint on a line whose code is all inlined.</summary>
    public IReadOnlyList<LineMatch> FindInlinedCalls(string file, uint line) => _lines.FindInlinedCalls(file, line);

    // ---- building ----

    private UnitFunctions FunctionsOf(DwarfUnit unit) => _unitFunctions.GetOrAdd(DieUnit(unit), u => new UnitFunctions(u));

    // A skeleton unit's DIEs are those of its split unit (in a .dwo or .dwp) when that can be found.
    internal static DwarfUnit DieUnit(DwarfUnit unit) => unit.SplitUnit ?? unit;

    private (ulong, ulong, DwarfUnit)[] BuildUnitRanges()
    {
        var list = new List<(ulong, ulong, DwarfUnit)>();
        var aranges = new Dictionary<long, List<DwarfRange>>();
        if (!Dwarf.Sections.Aranges.IsEmpty)
            foreach (var (range, off) in DwarfAddressRangeTable.Read(Dwarf.Sections.Aranges.Span))
                (aranges.TryGetValue(off, out var l) ? l : aranges[off] = []).Add(range);
        foreach (var unit in Dwarf.CompileUnits)
        {
            // A unit listed in .debug_aranges is taken at its word (as lldb does): reading every unit's root DIE instead
            // means parsing every unit's abbreviation table, most of the cost of opening a large debug file.
            IEnumerable<DwarfRange> ranges = aranges.TryGetValue(unit.Offset, out var fromAranges) ? fromAranges : unit.RootRanges;
            if (!ranges.Any()) ranges = unit.RootRanges;
            if (!ranges.Any()) ranges = FunctionsOf(unit).Entries.Select(e => new DwarfRange(e.Low, e.High));
            foreach (var r in ranges)
                list.Add((r.Low, r.High, unit));
        }
        return [.. list.OrderBy(t => t.Item1)];
    }

    // One name query before the whole index exists parses only the units that can name it (see UnitNameFilter),
    // in unit order; once IndexAll has run, the index answers.
    private IEnumerable<(DwarfUnit Unit, int Index)> DiesNamed(string name)
    {
        if (_names.IsValueCreated)
            return _names.Value.TryGetValue(name, out var dies) ? dies : [];
        if (UseNameIndex && NameIndexes is { } nameIndexes)
            return DiesNamedFromIndex(nameIndexes, name);
        var candidates = _nameFilter.Candidates(name);
        var query = new NameQuery(name);
        var found = new List<(DwarfUnit, int)>[candidates.Count];
        InParallel(candidates.Count, i =>
        {
            var unit = DieUnit(candidates[i]);
            found[i] = [.. query.MatchesIn(unit).Select(d => (unit, d))];
        });
        return found.SelectMany(l => l);
    }

    // .debug_names lists a DIE under its plain and linkage names, not under qualified ones; a qualified query's DIEs
    // are among those listed under one of its "::"-suffixes, then checked as the unit walk checks them.
    private List<(DwarfUnit Unit, int Index)> DiesNamedFromIndex(IReadOnlyList<DwarfNameIndex> indexes, string name)
    {
        var keys = new List<string> { name };
        for (int at = name.IndexOf("::", StringComparison.Ordinal); at >= 0; at = name.IndexOf("::", at + 2, StringComparison.Ordinal))
            if (at + 2 < name.Length) keys.Add(name[(at + 2)..]);
        var found = new SortedSet<(long UnitOffset, int Index)>();
        var units = new Dictionary<long, DwarfUnit>();
        var entries = new List<(DwarfNameEntry Entry, DwarfUnit Listed)>();
        foreach (var key in keys.Distinct())
            foreach (var index in indexes)
                foreach (var entry in index.Find(key))
                {
                    if (entry.IsTypeUnit || entry.Tag is not (DwarfTag.Subprogram or DwarfTag.InlinedSubroutine)) continue;
                    if (Dwarf.UnitContaining(entry.UnitOffset) is not { } listed || listed.Offset != entry.UnitOffset)
                        throw DwarfError.At(".debug_names", entry.EntryOffset, $"name entry refers to unit offset 0x{entry.UnitOffset:x}, where no unit starts");
                    entries.Add((entry, listed));
                }
        // The units holding the entries are parsed side by side (a DIE's names and scopes are read through its unit's tree).
        var listedUnits = entries.Select(e => e.Listed).Distinct().ToList();
        InParallel(listedUnits.Count, i => _ = DieUnit(listedUnits[i]).DieCount);
        foreach (var (entry, listed) in entries)
        {
            // A skeleton's entries give offsets within its split unit.
            var unit = DieUnit(listed);
            if (unit.DieAt(unit.Offset + (long)entry.DieOffset) is not { } die)
                throw DwarfError.At(".debug_names", entry.EntryOffset, $"name entry refers to DIE offset 0x{entry.DieOffset:x} of {unit}, where no DIE starts");
            if (!IsNamedSubroutine(die) || !HasName(die, name)) continue;
            units[listed.Offset] = unit;
            found.Add((listed.Offset, die.Index));
        }
        return [.. found.Select(f => (units[f.UnitOffset], f.Index))];
    }

    private static bool HasName(DwarfDie die, string name)
    {
        string? shortName = die.ShortName;
        if (shortName == name) return true;
        if (die.LinkageName == name) return true;
        return QualifiedName(die) == name;
    }

    private static bool IsNamedSubroutine(DwarfDie die) => IsNamedSubroutine(die.Abbreviation);

    /// <summary>True for a subprogram or inlined subroutine that is not a declaration and has code.</summary>
    internal static bool IsNamedSubroutine(DwarfAbbreviation abbrev) =>
        abbrev.Tag is DwarfTag.Subprogram or DwarfTag.InlinedSubroutine && abbrev.IndexOf(DwarfAttribute.Declaration) < 0
        && (abbrev.IndexOf(DwarfAttribute.LowPc) >= 0 || abbrev.IndexOf(DwarfAttribute.Ranges) >= 0);

    // .debug_names answers only when its indexes list every compile unit: a unit left out would be silently missed.
    private IReadOnlyList<DwarfNameIndex>? ReadNameIndexes()
    {
        var section = Dwarf.Sections.Names;
        if (section.IsEmpty) return null;
        IReadOnlyList<DwarfNameIndex> indexes;
        try
        {
            indexes = DwarfNameIndex.ReadAll(section, Dwarf.Sections.Str);
        }
        catch (InvalidDataException)
        {
            return null; // a damaged index is not used; the unit walk reports damage in the units themselves
        }
        var covered = new HashSet<long>(indexes.SelectMany(i => i.CompileUnitOffsets));
        return Dwarf.CompileUnits.All(u => covered.Contains(u.Offset)) ? indexes : null;
    }

    // The names a subroutine with code is found by: plain, linkage and qualified.
    private static void NamedSubroutines(DwarfUnit unit, Action<string, DwarfUnit, int> add)
    {
        foreach (var die in unit.Dies)
        {
            if (!IsNamedSubroutine(die)) continue;
            string? shortName = die.ShortName;
            if (shortName is { } n) add(n, unit, die.Index);
            string? linkageName = die.LinkageName;
            if (linkageName is { } l && l != shortName) add(l, unit, die.Index);
            if (QualifiedName(die) is { } q && q != shortName && q != linkageName) add(q, unit, die.Index);
        }
    }

    private Dictionary<string, List<(DwarfUnit, int)>> BuildNameIndex()
    {
        var units = Dwarf.CompileUnits.ToList();
        var perUnit = new List<(string, DwarfUnit, int)>[units.Count];
        InParallel(units.Count, i =>
        {
            var local = perUnit[i] = [];
            NamedSubroutines(DieUnit(units[i]), (n, unit, index) => local.Add((n, unit, index)));
        });
        var map = new Dictionary<string, List<(DwarfUnit, int)>>(StringComparer.Ordinal);
        foreach (var local in perUnit)
            foreach (var (name, unit, index) in local)
                (map.TryGetValue(name, out var l) ? l : map[name] = []).Add((unit, index));
        return map;
    }

    // Units are parsed side by side; a corrupt one fails on a worker thread, and the caller gets its typed error (the
    // first, as a sequential walk would), not an AggregateException.
    private static void InParallel(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<InvalidDataException>().FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    private static int UpperBound((ulong Low, ulong High, DwarfUnit Unit)[] ranges, ulong address)
    {
        int lo = 0, hi = ranges.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid].Low <= address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    // The symbol list llvm-symbolizer consults: defined FUNC/OBJECT/IFUNC/NOTYPE symbols in allocated sections,
    // stably sorted by (address, size) in symbol-table order, keeping the last of each address (so the largest size);
    // a size of 0 reaches to the next symbol. Local symbols remember the STT_FILE symbol before them.
    private readonly record struct LlvmSymbol(ulong Address, ulong Size, string Name, string? FileName);

    private LlvmSymbol[] BuildLlvmSymbols()
    {
        var source = Elf.Symbols.Static.Count > 0 ? Elf.Symbols.Static : Elf.Symbols.Dynamic;
        var list = new List<LlvmSymbol>();
        string? file = null;
        foreach (var s in source)
        {
            if (s.Type == ElfSymbolType.File) { file = s.Name; continue; }
            if (s.IsUndefined || s.SectionIndex >= Elf.Sections.Count || !Elf.Sections[s.SectionIndex].IsAllocated) continue;
            if (s.Type is not (ElfSymbolType.NoType or ElfSymbolType.Function or ElfSymbolType.Object or ElfSymbolType.GnuIndirectFunction)) continue;
            list.Add(new LlvmSymbol(s.Value, s.Size, s.Name, s.Binding == ElfSymbolBinding.Local ? file : null));
        }
        var sorted = list.OrderBy(s => s.Address).ThenBy(s => s.Size).ToList(); // OrderBy is stable
        var unique = new List<LlvmSymbol>();
        for (int i = 0; i < sorted.Count; i++)
            if (i + 1 == sorted.Count || sorted[i + 1].Address != sorted[i].Address)
                unique.Add(sorted[i]);
        return [.. unique];
    }

    private LlvmSymbol? FindLlvmSymbol(ulong address)
    {
        var symbols = _llvmSymbols.Value;
        int lo = 0, hi = symbols.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (symbols[mid].Address <= address) lo = mid + 1; else hi = mid;
        }
        if (lo == 0) return null;
        var s = symbols[lo - 1];
        if (s.Size != 0 && s.Address + s.Size <= address) return null;
        return s;
    }

    /// <summary>The subprograms of one unit that have code, sorted by start address.</summary>
    private sealed class UnitFunctions
    {
        public UnitFunctions(DwarfUnit unit)
        {
            Unit = unit;
            var list = new List<(ulong, ulong, int)>();
            if (unit.DieCount > 0)
                foreach (var die in unit.Dies)
                {
                    if (die.Tag != DwarfTag.Subprogram) continue;
                    foreach (var r in die.Ranges)
                        list.Add((r.Low, r.High, die.Index));
                }
            Entries = [.. list.OrderBy(e => e.Item1)];
        }

        public DwarfUnit Unit { get; }

        public (ulong Low, ulong High, int Index)[] Entries { get; }

        // The innermost (smallest) subprogram range containing the address.
        public DwarfDie? Find(ulong address)
        {
            var e = Entries;
            int lo = 0, hi = e.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (e[mid].Low <= address) lo = mid + 1; else hi = mid;
            }
            int best = -1;
            for (int k = lo - 1; k >= 0 && k > lo - 65; k--)
                if (address < e[k].High && (best < 0 || e[k].High - e[k].Low < e[best].High - e[best].Low))
                    best = k;
            return best >= 0 ? new DwarfDie(Unit, e[best].Index) : null;
        }
    }
}
