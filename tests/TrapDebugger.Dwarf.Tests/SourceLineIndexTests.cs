namespace TrapDebugger.Dwarf.Tests;

/// <summary>file:line queries answered from the line index agree with a plain walk over every row of every line program
/// (rows that LineTableAgreementTests checks against llvm-dwarfdump), and a module that does not name the file answers
/// without reading its units or running its line programs.</summary>
public sealed class SourceLineIndexTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestBinaries.Names), MemberType = typeof(TestBinaries))]
    public void LineQueriesAgreeWithARowWalk(string name)
    {
        using var index = SymbolIndex.Open(TestBinaries.Path(name));
        int queries = CompareWithRowWalk(index, maxFiles: 40, maxLine: 100_000, inlinedCalls: true);
        output.WriteLine($"{name}: {queries} file:line queries agree");
        Assert.True(queries > 40, $"only {queries} queries were compared");
    }

    [Fact]
    public void GlibcLineQueriesAgreeWithARowWalk()
    {
        using var index = SymbolIndex.Open("/lib/x86_64-linux-gnu/libc.so.6");
        int queries = CompareWithRowWalk(index, maxFiles: 12, maxLine: 400, inlinedCalls: false);
        output.WriteLine($"glibc: {queries} file:line queries agree");
        Assert.True(queries > 1000, $"only {queries} queries were compared");
    }

    [Fact]
    public void AModuleWithoutTheFileAnswersFromLineProgramHeadersAlone()
    {
        using var index = SymbolIndex.Open("/lib/x86_64-linux-gnu/libc.so.6");
        Assert.Empty(index.FindLine("/home/user/project/lines.c", 10));
        Assert.Empty(index.FindLine("lines.c", 10));
        Assert.Empty(index.FindInlinedCalls("lines.c", 10));
        Assert.DoesNotContain(index.Dwarf.Units, u => u.IsRootRead || u.IsParsed);
        Assert.False(index.Dwarf.IsLineProgramParsed(0));

        // A file glibc does have: only the programs that name it run, and only the units that own them are parsed for calls.
        var file = index.Dwarf.AllLinePrograms().Select(p => p.FilePath(1)).First(p => p is not null && p.EndsWith(".c", StringComparison.Ordinal))!;
        using var fresh = SymbolIndex.Open("/lib/x86_64-linux-gnu/libc.so.6");
        var line = fresh.FindLine(file, 1);
        Assert.NotEmpty(line);
        _ = fresh.FindInlinedCalls(file, line[0].Location.Line);
        var units = fresh.Dwarf.CompileUnits.ToList();
        Assert.InRange(units.Count(u => u.IsParsed), 1, units.Count / 10);
        Assert.InRange(units.Count(u => u.StatementListOffset is { } o && fresh.Dwarf.IsLineProgramParsed(o)), 1, units.Count / 10);
    }

    [Fact]
    public void RepeatedQueriesReturnTheSameAnswer()
    {
        using var index = SymbolIndex.Open(TestBinaries.Path("c/clang22-O0"));
        var first = index.FindLine("points.c", 10);
        Assert.NotEmpty(first);
        Assert.Equal(first, index.FindLine("points.c", 10));
        Assert.Equal(first, index.FindLine("/" + first[0].Location.File!.TrimStart('/'), 10));
        Assert.Empty(index.FindLine("oints.c", 10)); // a suffix that is not a whole path component
    }

    // Every file of every line program is asked about by its full path, its last component and its last two components,
    // for every line up to one past its last line with code (and a file no program names); the answers must be those of
    // the row walk. Rows and inlined calls are walked once, then filtered by each query.
    private static int CompareWithRowWalk(SymbolIndex index, int maxFiles, uint maxLine, bool inlinedCalls)
    {
        var programs = index.Dwarf.AllLinePrograms().ToList();
        var paths = programs.SelectMany(p => Enumerable.Range(0, p.Files.Count + 1).Select(i => p.FilePath((ulong)i)))
            .OfType<string>().Where(p => p.Length > 0).Distinct().Take(maxFiles).ToList();
        var queries = paths.SelectMany(p => new[] { p, Path.GetFileName(p), LastTwo(p) }).Append("no_such_file.c").Distinct().ToList();
        var allRows = StartingRows(programs);
        var allCalls = inlinedCalls ? InlinedCalls(index) : [];
        int compared = 0;
        foreach (var query in queries)
        {
            var rows = allRows.Where(r => Matches(r.Match.Location.File!, query)).ToList();
            var calls = CallsByLine(allCalls.Where(c => Matches(c.Path, query)));
            uint last = Math.Min(rows.Select(r => r.Line).Concat(calls.Keys).DefaultIfEmpty(2u).Max() + 1, maxLine);
            var byLine = rows.GroupBy(r => r.Line).ToDictionary(g => g.Key, g => g.Select(r => r.Match).DistinctBy(m => m.Address).OrderBy(m => m.Address).ToList());
            var linesWithCode = byLine.Keys.Order().ToList();
            int next = 0;
            for (uint line = 0; line <= last; line++)
            {
                // The line itself when it has code, else the nearest later line that does.
                while (next < linesWithCode.Count && linesWithCode[next] < line) next++;
                var expected = next < linesWithCode.Count ? byLine[linesWithCode[next]] : [];
                var actual = index.FindLine(query, line);
                Assert.True(expected.SequenceEqual(actual), $"{query}:{line}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
                if (inlinedCalls)
                    Assert.Equal(calls.GetValueOrDefault(line) ?? [], index.FindInlinedCalls(query, line));
                compared++;
            }
        }
        return compared;
    }

    private static string LastTwo(string path)
    {
        var parts = path.Split('/');
        return parts.Length >= 2 ? string.Join('/', parts[^2..]) : path;
    }

    private static bool Matches(string path, string query) =>
        path == query || (path.EndsWith(query, StringComparison.Ordinal) && (query.StartsWith('/') || path[^(query.Length + 1)] == '/'));

    // The statement rows that start a run of their line, in program order, with their file's path.
    private static List<(uint Line, LineMatch Match)> StartingRows(List<DwarfLineProgram> programs)
    {
        var result = new List<(uint, LineMatch)>();
        foreach (var program in programs)
        {
            var rows = program.Rows;
            for (int i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                if (row.EndSequence || !row.IsStatement || program.FilePath(row.File) is not { } path) continue;
                if (i > 0 && !rows[i - 1].EndSequence && rows[i - 1].Line == row.Line && rows[i - 1].File == row.File) continue;
                result.Add((row.Line, new LineMatch(row.Address, new SourceLocation(path, row.Line, row.Column, row.Discriminator))));
            }
        }
        return result;
    }

    private readonly record struct InlinedCall(string Path, uint Line, DwarfDie Scope, LineMatch Entry);

    // Every inlined subroutine with a call site and code, in unit and DIE order.
    private static List<InlinedCall> InlinedCalls(SymbolIndex index)
    {
        var result = new List<InlinedCall>();
        foreach (var unit in index.Dwarf.CompileUnits)
        {
            var dies = unit.SplitUnit ?? unit;
            if ((dies.LineProgram ?? unit.LineProgram) is not { } program) continue;
            foreach (var die in dies.Dies)
            {
                if (die.Tag != DwarfTag.InlinedSubroutine || die.Find(DwarfAttribute.CallLine)?.AsUnsigned() is not { } callLine || callLine > uint.MaxValue) continue;
                if (die.Find(DwarfAttribute.CallFile)?.AsUnsigned() is not { } f || program.FilePath(f) is not { } path) continue;
                if (die.Ranges.Count == 0 || die.Parent is not { } scope) continue;
                ulong entry = die.Find(DwarfAttribute.EntryPc) is { } e && e.IsAddress ? e.AsAddress() : die.Ranges.Min(r => r.Low);
                uint column = (uint)(die.Find(DwarfAttribute.CallColumn)?.AsUnsigned() ?? 0);
                result.Add(new InlinedCall(path, (uint)callLine, scope, new LineMatch(entry, new SourceLocation(path, (uint)callLine, column))));
            }
        }
        return result;
    }

    // For each line, the calls made from it: the lowest entry in each calling scope, by address.
    private static Dictionary<uint, List<LineMatch>> CallsByLine(IEnumerable<InlinedCall> calls)
    {
        var byLine = new Dictionary<uint, Dictionary<DwarfDie, LineMatch>>();
        foreach (var call in calls)
        {
            if (!byLine.TryGetValue(call.Line, out var byScope)) byLine[call.Line] = byScope = [];
            if (byScope.TryGetValue(call.Scope, out var seen) && seen.Address <= call.Entry.Address) continue;
            byScope[call.Scope] = call.Entry;
        }
        return byLine.ToDictionary(p => p.Key, p => p.Value.Values.DistinctBy(m => m.Address).OrderBy(m => m.Address).ToList());
    }
}
