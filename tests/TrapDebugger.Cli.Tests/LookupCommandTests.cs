using System.Globalization;
using System.Text;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.Tests;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg lookup</c> and <c>trapdbg symbols</c> print what llvm-addr2line -f -i -C and llvm-nm print, and fail on bad input with one line on stderr.</summary>
public sealed class LookupCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cxx/clang22-O2")]
    [InlineData("cxx/gcc-O2")]
    [InlineData("verbose_trap/clang22-O0")]
    [InlineData("c/gcc-O0")]
    [InlineData("rust/opt")]
    public void LookupAddressPrintsWhatLlvmAddr2lineDemanglingPrints(string name)
    {
        var binary = TestBinaries.Path(name);
        var addresses = LineTableAddresses(binary, 300);
        var hex = addresses.Select(a => "0x" + a.ToString("x", CultureInfo.InvariantCulture)).ToList();
        var (code, stdout, stderr) = Lookup(binary, hex, name: null);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var reference = Toolchain.Run(Toolchain.LlvmAddr2line, ["-f", "-i", "-C", "-e", binary], stdin: string.Join('\n', hex) + "\n");
        Assert.Equal(0, reference.ExitCode);
        var ours = stdout.Split('\n');
        var theirs = reference.Stdout.Split('\n');
        for (int i = 0; i < Math.Min(ours.Length, theirs.Length); i++)
            Assert.True(ours[i] == theirs[i], $"line {i + 1}: trapdbg '{ours[i]}', llvm-addr2line '{theirs[i]}'");
        Assert.Equal(theirs.Length, ours.Length);
        output.WriteLine($"{name}: {addresses.Count} addresses, {ours.Length} output lines identical to llvm-addr2line -f -i -C");
    }

    [Theory]
    [InlineData("cxx/clang22-O0")]
    [InlineData("cxx/gcc-O0")]
    public void LookupNameListsEveryDefinitionWithItsLine(string name)
    {
        var binary = TestBinaries.Path(name);
        var (code, stdout, stderr) = Lookup(binary, [], "geometry::Box<int>::scaled");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The entry address is the function's symbol, and its line is the one llvm-addr2line gives for that address.
        var nm = Toolchain.Run(Toolchain.LlvmNm, [binary]).Stdout.Split('\n')
            .Select(l => l.Split(' ')).First(p => p.Length == 3 && p[2] == "_ZNK8geometry3BoxIiE6scaledEi");
        Assert.StartsWith($"0x{nm[0]} geometry::Box<int>::scaled(int) const at ", line);
        var theirs = Toolchain.Run(Toolchain.LlvmAddr2line, ["-e", binary, "0x" + nm[0]]).Stdout.Trim().Split(' ')[0];
        var ours = line[(line.IndexOf(" at ", StringComparison.Ordinal) + 4)..].Split(':');
        Assert.Equal(theirs, $"{ours[0]}:{ours[1]}"); // ours adds the column
        output.WriteLine(line);
    }

    [Fact]
    public void UnknownNameIsOneLineOnStderrAndExitOne()
    {
        var (code, stdout, stderr) = Lookup(TestBinaries.Path("cxx/clang22-O0"), [], "no_such_function");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("no function named 'no_such_function'", stderr);
    }

    public static IEnumerable<TheoryDataRow<string>> BadFiles()
    {
        yield return new("missing");
        yield return new("empty");
        yield return new("text");
        yield return new("truncated-header");
        yield return new("truncated-half");
        yield return new("debug-info-garbage");
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void CorruptFileIsOneLineOnStderrAndANonZeroExit(string kind)
    {
        var path = BadFile(kind);
        var (code, stdout, stderr) = Lookup(path, ["0x1000"], "main");
        output.WriteLine($"lookup {kind}: exit {code}, stderr: {stderr.TrimEnd()}");
        Assert.NotEqual(0, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("trapdbg lookup: ", stderr);
        var symbols = new StringWriter();
        var symbolsError = new StringWriter();
        int symbolsCode = SymbolsCommand.Run(path, json: false, dynamic: false, symbols, symbolsError);
        output.WriteLine($"symbols {kind}: exit {symbolsCode}, stderr: {symbolsError.ToString().TrimEnd()}");
        if (kind == "debug-info-garbage")
        {
            Assert.Equal(0, symbolsCode); // the symbol table is intact; only DWARF is damaged
            return;
        }
        Assert.NotEqual(0, symbolsCode);
        Assert.Equal("", symbols.ToString());
        Assert.Single(symbolsError.ToString().TrimEnd('\n').Split('\n'));
        Assert.StartsWith("trapdbg symbols: ", symbolsError.ToString());
    }

    [Theory]
    [InlineData("cxx/clang22-O2", false)]
    [InlineData("cxx/gcc-O0", false)]
    [InlineData("cxx/gcc-O0", true)]
    [InlineData("rust/debug", false)]
    [InlineData("verbose_trap/clang22-O2", true)]
    public void SymbolsPrintWhatLlvmNmPrints(string name, bool dynamic)
    {
        var binary = TestBinaries.Path(name);
        var ours = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, SymbolsCommand.Run(binary, json: false, dynamic, ours, error));
        Assert.Equal("", error.ToString());
        var nm = Toolchain.Run(Toolchain.LlvmNm, dynamic ? ["-D", binary] : [binary]);
        Assert.Equal(0, nm.ExitCode);
        var a = ours.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = nm.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
            Assert.True(a[i] == b[i], $"line {i + 1}: trapdbg '{a[i]}', llvm-nm '{b[i]}'");
        Assert.Equal(b.Length, a.Length);
        output.WriteLine($"{name}{(dynamic ? " -D" : "")}: {a.Length} lines identical to llvm-nm");
    }

    private static (int Code, string Stdout, string Stderr) Lookup(string binary, IReadOnlyList<string> addresses, string? name)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LookupCommand.Run(binary, addresses, name, null, demangle: true, [], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // Row addresses of every line table inside the program's code, thinned to at most `limit` by a fixed stride.
    // Rows of code the linker discarded (Rust's std keeps them, relocated near 0) describe no instruction of the program.
    private static List<ulong> LineTableAddresses(string binary, int limit)
    {
        using var index = SymbolIndex.Open(binary);
        var code = index.Elf.Sections.Where(s => s.IsExecutable && s.IsAllocated).ToList();
        var all = index.Dwarf.AllLinePrograms().SelectMany(p => p.Rows).Where(r => !r.EndSequence)
            .Select(r => r.Address).Where(a => code.Any(s => a >= s.Address && a < s.Address + s.Size)).Distinct().Order().ToList();
        int stride = Math.Max(1, all.Count / limit);
        return all.Where((_, i) => i % stride == 0).ToList();
    }

    private static string BadFile(string kind)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"trapdbg-bad-files-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, kind);
        var good = File.ReadAllBytes(TestBinaries.Path("cxx/clang22-O0"));
        switch (kind)
        {
            case "missing": File.Delete(path); break;
            case "empty": File.WriteAllBytes(path, []); break;
            case "text": File.WriteAllText(path, "#!/bin/sh\necho not an ELF file\n", Encoding.ASCII); break;
            case "truncated-header": File.WriteAllBytes(path, good[..40]); break;
            case "truncated-half": File.WriteAllBytes(path, good[..(good.Length / 2)]); break;
            case "debug-info-garbage":
                using (var elf = Elf.ElfFile.Open(TestBinaries.Path("cxx/clang22-O0")))
                {
                    var info = elf.FindSection(".debug_info") ?? throw new InvalidOperationException("no .debug_info");
                    var bytes = (byte[])good.Clone();
                    // Keep the first unit's length, spoil its version: the unit cannot be read.
                    bytes[(int)info.Offset + 4] = 0x77;
                    bytes[(int)info.Offset + 5] = 0x77;
                    File.WriteAllBytes(path, bytes);
                }
                break;
            default: throw new ArgumentException(kind);
        }
        return path;
    }
}
