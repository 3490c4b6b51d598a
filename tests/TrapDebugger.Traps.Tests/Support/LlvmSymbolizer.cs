using System.Globalization;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Traps.Tests.Support;

/// <summary>An <see cref="ISymbolizer"/> backed by llvm-addr2line-22 and llvm-nm-22, for run-time addresses of a loaded program.</summary>
/// <remarks>The project's own DWARF reader is tested on its own; here LLVM's tools give the reference answers.</remarks>
public sealed class LlvmSymbolizer : ISymbolizer
{
    private readonly string program;
    private readonly ulong bias;
    private readonly List<FunctionBounds> functions = [];
    private readonly Dictionary<ulong, SymbolizedLocation?> cache = [];

    /// <param name="program">The ELF file.</param>
    /// <param name="bias">Run-time address minus file address (the load bias of a PIE; 0 for a fixed-address program).</param>
    public LlvmSymbolizer(string program, ulong bias)
    {
        this.program = program;
        this.bias = bias;
        var nm = Toolchain.Run(Toolchain.LlvmNm, ["-S", "--defined-only", "-C", program]);
        foreach (var line in nm.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length < 4 || parts[2] is not ("T" or "t" or "W")) continue; // W: a weak definition (inline C++ members)
            var start = ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) + bias;
            var size = ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size > 0) functions.Add(new FunctionBounds(start, start + size, parts[3]));
        }
    }

    public IReadOnlyList<FunctionBounds> Functions => functions;

    public FunctionBounds? FindFunction(ulong address) => functions.FirstOrDefault(f => address >= f.Start && address < f.End);

    /// <summary>Symbolizes many addresses with one llvm-addr2line run (the analysis asks for every branch of a function).</summary>
    public void Prefetch(IEnumerable<ulong> addresses)
    {
        var wanted = addresses.Where(a => !cache.ContainsKey(a)).Distinct().ToList();
        if (wanted.Count == 0) return;
        var args = new List<string> { "-e", program, "--output-style=LLVM", "-a", "-f", "-i", "-C" };
        args.AddRange(wanted.Select(a => $"0x{a - bias:x}"));
        var output = Toolchain.Run(Toolchain.LlvmAddr2line, args).Stdout;
        // Records are an address line ("0x…") followed by function / file:line:column pairs, innermost first.
        var records = new List<List<string>>();
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("0x", StringComparison.Ordinal) && ulong.TryParse(line.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
                records.Add([line]);
            else if (records.Count > 0)
                records[^1].Add(line);
        }
        foreach (var lines in records)
        {
            if (lines.Count < 3) continue;
            var address = ulong.Parse(lines[0].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) + bias;
            var names = new List<string>();
            var places = new List<SourceLocation?>();
            for (var k = 1; k + 1 < lines.Count; k += 2)
            {
                names.Add(lines[k]);
                places.Add(ParseLocation(lines[k + 1]));
            }
            if (names.Count == 0 || names[0] == "??") { cache[address] = null; continue; }
            // addr2line prints, for frame k, the position inside frame k; that is the call site of frame k - 1.
            var chain = names.Select((n, k) => new InlineFrame(n, k + 1 < places.Count ? places[k + 1] : null,
                n.StartsWith(VerboseTrapName.ClangPrefix, StringComparison.Ordinal))).ToList();
            cache[address] = new SymbolizedLocation(names[^1], chain, places[0]);
        }
        foreach (var a in wanted) cache.TryAdd(a, null);
    }

    public SymbolizedLocation? Symbolize(ulong address)
    {
        if (!cache.ContainsKey(address)) Prefetch([address]);
        return cache[address];
    }

    private static SourceLocation? ParseLocation(string text)
    {
        // file:line:column; the file may itself contain ':' only in odd paths, so split from the right.
        var c2 = text.LastIndexOf(':');
        var c1 = c2 > 0 ? text.LastIndexOf(':', c2 - 1) : -1;
        if (c1 < 0) return null;
        if (!int.TryParse(text.AsSpan(c1 + 1, c2 - c1 - 1), out var line) || !int.TryParse(text.AsSpan(c2 + 1), out var column)) return null;
        return new SourceLocation(text[..c1], line, column);
    }
}

/// <summary>Reads source lines from disk.</summary>
/// <remarks>Programs built by the fixture cache are compiled in a temporary folder that is then renamed, so a path the debug
/// information names may be gone; the file of the same name beside the program is used then.</remarks>
public sealed class FileSourceText(string? fallbackDirectory = null) : ISourceText
{
    private readonly Dictionary<string, string[]?> files = [];

    public string? GetLine(string file, int line)
    {
        if (!files.TryGetValue(file, out var lines))
        {
            var path = File.Exists(file) ? file
                : fallbackDirectory is not null && File.Exists(Path.Combine(fallbackDirectory, Path.GetFileName(file))) ? Path.Combine(fallbackDirectory, Path.GetFileName(file))
                : null;
            files[file] = lines = path is null ? null : File.ReadAllLines(path);
        }
        return lines is not null && line >= 1 && line <= lines.Length ? lines[line - 1] : null;
    }
}
