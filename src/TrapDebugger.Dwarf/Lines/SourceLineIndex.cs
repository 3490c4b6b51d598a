using System.Collections.Concurrent;

namespace TrapDebugger.Dwarf;

/// <summary>file:line → addresses for one module: which line programs name a file (from the programs' headers alone),
/// and for each file asked about, its statement rows sorted by line and the inlined calls made from each of its lines,
/// built once on first use.</summary>
/// <remarks>A module that does not name the file answers from the header table without reading its units or running
/// any line program: a breakpoint in the program's own file does not wait for glibc's line tables. Answers are those
/// of a walk over every row of every line program, in the same order.</remarks>
internal sealed class SourceLineIndex(DwarfFile dwarf, Func<DwarfUnit, DwarfUnit> dieUnit)
{
    // Programs with a file whose path has no last component of its own (an empty name and directory) could match any
    // query ending in their compilation directory, which the unit-less headers do not know: they are always candidates.
    private const string AnyFile = "\0";

    private readonly Lazy<Dictionary<string, long[]>> _programsByFileName = new(() => ProgramsByFileName(dwarf));
    private readonly Lazy<Dictionary<long, DwarfUnit>> _unitsByProgram = new(() => UnitsByProgram(dwarf));
    private readonly ConcurrentDictionary<string, Lazy<SourceFileLines>> _files = new(StringComparer.Ordinal);

    /// <summary>The addresses where line <paramref name="line"/> of <paramref name="file"/> (a path or a path suffix)
    /// has code; if it has none, those of the next line that does.</summary>
    public IReadOnlyList<LineMatch> FindLine(string file, uint line) => FileLines(file).FindLine(line);

    /// <summary>The entries of the inlined calls made from line <paramref name="line"/> of <paramref name="file"/>: the lowest one in each calling scope.</summary>
    public IReadOnlyList<LineMatch> FindInlinedCalls(string file, uint line) => FileLines(file).InlinedCalls(line);

    /// <summary>True when <paramref name="path"/> is <paramref name="query"/> or ends with it at a '/' boundary.</summary>
    private static bool PathMatches(string path, string query) =>
        path == query || (path.EndsWith(query, StringComparison.Ordinal) && (query.StartsWith('/') || path[^(query.Length + 1)] == '/'));

    // A path that matches a query ends with the query's last component (see PathMatches), so that component selects the
    // candidate programs.
    private static string LastComponent(string path) => path[(path.LastIndexOf('/') + 1)..];

    private SourceFileLines FileLines(string file) =>
        _files.GetOrAdd(file, f => new Lazy<SourceFileLines>(() => Build(f), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private SourceFileLines Build(string query)
    {
        // A path that matches ends with the query's last component, and every path is made of the strings of these
        // sections: a module none of whose strings hold it (glibc, for a file of the user's program) answers without
        // reading a line-program header.
        if (!_programsByFileName.IsValueCreated && LastComponent(query) is { Length: > 0 } last && !MayName(dwarf.Sections, last))
            return SourceFileLines.Empty;
        var byName = _programsByFileName.Value;
        var offsets = new HashSet<long>(byName.GetValueOrDefault(LastComponent(query)) ?? []);
        offsets.UnionWith(byName.GetValueOrDefault(AnyFile) ?? []);
        if (offsets.Count == 0) return SourceFileLines.Empty;
        var units = _unitsByProgram.Value;
        var rows = new List<(uint Line, LineMatch Match)>();
        foreach (var offset in offsets.Order())
        {
            // A program no unit refers to has no code a debugger can place (as before: only units' programs are read).
            if (!units.TryGetValue(offset, out var unit)) continue;
            var program = dwarf.LineProgram(offset, unit);
            var paths = MatchingFiles(program, query);
            if (paths.Count == 0) continue;
            var programRows = program.Rows;
            for (int i = 0; i < programRows.Count; i++)
            {
                var row = programRows[i];
                if (row.EndSequence || !row.IsStatement || !paths.TryGetValue(row.File, out var path)) continue;
                // Only the first row of a run of the same line starts new code for it.
                if (i > 0 && !programRows[i - 1].EndSequence && programRows[i - 1].Line == row.Line && programRows[i - 1].File == row.File) continue;
                rows.Add((row.Line, new LineMatch(row.Address, new SourceLocation(path, row.Line, row.Column, row.Discriminator))));
            }
        }
        // Stable: rows of one line keep program order, so the same row wins among equal addresses as in a row walk.
        var sorted = rows.OrderBy(r => r.Line).ToArray();
        return new SourceFileLines(sorted, new Lazy<Dictionary<uint, IReadOnlyList<LineMatch>>>(() => BuildInlinedCalls(query, offsets)));
    }

    /// <summary>True when <paramref name="name"/> ends a string (after a '/' or at its start) in the strings a line
    /// program's file names are made of: the programs themselves (DWARF 2–4 headers hold their names inline), and the line
    /// string section (DWARF 5 names, DW_FORM_line_strp, as GCC and Clang write them), or, in a module without one, the
    /// string section (DW_FORM_strp).</summary>
    /// <remarks>The string section is not searched when a line string section exists: it is the largest section of a
    /// big debug file and the one the symbol preloader inflates first, and a producer that puts its file names there
    /// (DW_FORM_strp in a DWARF 5 header) next to one that uses the line string section is not known.</remarks>
    private static bool MayName(DwarfSections sections, string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        var lineStrings = sections.LineStr.Span;
        return EndsAString(lineStrings, bytes) || EndsAString(sections.Line.Span, bytes)
            || (lineStrings.IsEmpty && EndsAString(sections.Str.Span, bytes));
    }

    private static bool EndsAString(ReadOnlySpan<byte> strings, ReadOnlySpan<byte> nameAndNul)
    {
        var start = 0;
        while (start < strings.Length)
        {
            var i = strings[start..].IndexOf(nameAndNul);
            if (i < 0) return false;
            var at = start + i;
            if (at == 0 || strings[at - 1] is (byte)'/' or 0) return true;
            start = at + 1;
        }
        return false;
    }

    private static Dictionary<ulong, string> MatchingFiles(DwarfLineProgram program, string query)
    {
        var paths = new Dictionary<ulong, string>();
        for (ulong i = 0; i <= (ulong)program.Files.Count; i++)
            if (program.FilePath(i) is { } p && PathMatches(p, query)) paths[i] = p;
        return paths;
    }

    // The calls of one statement follow each other in its scope (and its cleanups land in the same scope): the first of
    // them is where the line starts, as lldb places a breakpoint on a line whose code is all inlined.
    private Dictionary<uint, IReadOnlyList<LineMatch>> BuildInlinedCalls(string query, HashSet<long> offsets)
    {
        var byLine = new Dictionary<uint, Dictionary<DwarfDie, LineMatch>>();
        foreach (var unit in dwarf.CompileUnits)
        {
            // Only units whose file table names the file can call from it (a split unit's DIEs use its skeleton's table).
            if (unit.StatementListOffset is not { } own || !offsets.Contains(own)) continue;
            var dies = dieUnit(unit);
            if ((dies.LineProgram ?? unit.LineProgram) is not { } program) continue;
            var files = MatchingFiles(program, query);
            if (files.Count == 0) continue;
            foreach (var die in dies.Dies)
            {
                if (die.Tag != DwarfTag.InlinedSubroutine) continue;
                if (die.Find(DwarfAttribute.CallLine)?.AsUnsigned() is not { } callLine || callLine > uint.MaxValue) continue;
                if (die.Find(DwarfAttribute.CallFile)?.AsUnsigned() is not { } f || !files.TryGetValue(f, out var path)) continue;
                var ranges = die.Ranges;
                if (ranges.Count == 0 || die.Parent is not { } scope) continue;
                ulong entry = die.Find(DwarfAttribute.EntryPc) is { } e && e.IsAddress ? e.AsAddress() : ranges.Min(r => r.Low);
                uint column = (uint)(die.Find(DwarfAttribute.CallColumn)?.AsUnsigned() ?? 0);
                uint line = (uint)callLine;
                if (!byLine.TryGetValue(line, out var byScope)) byLine[line] = byScope = [];
                if (byScope.TryGetValue(scope, out var seen) && seen.Address <= entry) continue;
                byScope[scope] = new LineMatch(entry, new SourceLocation(path, line, column));
            }
        }
        return byLine.ToDictionary(p => p.Key, p => (IReadOnlyList<LineMatch>)p.Value.Values.DistinctBy(m => m.Address).OrderBy(m => m.Address).ToList());
    }

    private static Dictionary<string, long[]> ProgramsByFileName(DwarfFile dwarf)
    {
        var byName = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        void Add(string key, long offset)
        {
            if (!byName.TryGetValue(key, out var set)) byName[key] = set = [];
            set.Add(offset);
        }
        try
        {
            foreach (var header in DwarfLineProgram.ReadHeaders(dwarf))
                for (ulong i = 0; i <= (ulong)header.Files.Count; i++)
                    if (header.FilePath(i) is { } path)
                        Add(path.Length == 0 ? AnyFile : LastComponent(path), header.Offset);
        }
        catch (InvalidDataException)
        {
            // The section cannot be walked header by header (a damaged program, padding, string forms that need the
            // unit): the units' own programs are read instead, which reports damage where a query meets it.
            byName.Clear();
            foreach (var (offset, unit) in UnitsByProgram(dwarf))
            {
                var program = dwarf.LineProgram(offset, unit);
                for (ulong i = 0; i <= (ulong)program.Files.Count; i++)
                    if (program.FilePath(i) is { } path)
                        Add(path.Length == 0 ? AnyFile : LastComponent(path), offset);
            }
        }
        return byName.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    // The unit each program is read with (the first unit that refers to it, in unit order), which supplies the
    // compilation directory of DWARF 2–4 paths.
    private static Dictionary<long, DwarfUnit> UnitsByProgram(DwarfFile dwarf)
    {
        var units = new Dictionary<long, DwarfUnit>();
        foreach (var u in dwarf.Units)
            if (u.StatementListOffset is { } offset)
                units.TryAdd(offset, u);
        return units;
    }

    /// <summary>One queried file's statement rows sorted by line, and the inlined calls made from its lines.</summary>
    private sealed class SourceFileLines((uint Line, LineMatch Match)[] rows, Lazy<Dictionary<uint, IReadOnlyList<LineMatch>>> inlinedCalls)
    {
        public static readonly SourceFileLines Empty = new([], new(() => []));

        public IReadOnlyList<LineMatch> FindLine(uint line)
        {
            int lo = 0, hi = rows.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (rows[mid].Line < line) lo = mid + 1; else hi = mid;
            }
            if (lo == rows.Length) return [];
            // The line itself when it has code, else the next line that does.
            uint chosen = rows[lo].Line;
            var matches = new List<LineMatch>();
            for (int i = lo; i < rows.Length && rows[i].Line == chosen; i++) matches.Add(rows[i].Match);
            return matches.DistinctBy(m => m.Address).OrderBy(m => m.Address).ToList();
        }

        public IReadOnlyList<LineMatch> InlinedCalls(uint line) => inlinedCalls.Value.GetValueOrDefault(line) ?? [];
    }
}
