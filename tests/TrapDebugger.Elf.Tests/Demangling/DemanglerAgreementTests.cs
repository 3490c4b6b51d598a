using TrapDebugger.Elf.Demangling;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Elf.Tests.Demangling;

/// <summary>Every symbol of real C++ and Rust binaries, demangled and compared with llvm-cxxfilt (GNU c++filt for the
/// names llvm-cxxfilt cannot read).</summary>
public sealed class DemanglerAgreementTests(ITestOutputHelper output)
{
    private const string LibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    /// <summary>Every C++ and Rust fixture in the catalog, with each of its build variants.</summary>
    public static TheoryData<string, string> CxxAndRustFixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Fixtures.All.Where(f => f.Language is FixtureLanguage.Cxx or FixtureLanguage.Rust))
            foreach (var v in f.Variants)
                data.Add(f.Name, v.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(CxxAndRustFixtures))]
    public void EverySymbolOfFixtureAgreesWithLlvmCxxfilt(string fixture, string variant)
    {
        var definition = Fixtures.Get(fixture);
        var binary = Fixtures.Build(definition, definition.Variants.Single(v => v.ToString() == variant));
        var symbols = Symbols(binary.Program, dynamic: false);
        if (binary.SharedLibrary != null) symbols.AddRange(Symbols(binary.SharedLibrary, dynamic: false));
        var (agree, total, disagreements) = Compare(symbols.Distinct().ToList());
        output.WriteLine($"{fixture} {variant}: {agree}/{total} symbols agree with llvm-cxxfilt");
        foreach (var d in disagreements.Take(50)) output.WriteLine("  " + d);
        Assert.True(total > 0);
        Assert.Empty(disagreements);
    }

    [Fact]
    public void DynamicSymbolsOfLibStdCxxAgreeWithLlvmCxxfilt()
    {
        var symbols = Symbols(LibStdCxx, dynamic: true);
        var (agree, total, disagreements) = Compare(symbols);
        double rate = (double)agree / total;
        output.WriteLine($"libstdc++: {agree}/{total} symbols agree with llvm-cxxfilt ({rate:P2})");
        foreach (var d in disagreements) output.WriteLine("  " + d);
        Assert.True(total > 1000);
        Assert.True(rate >= 0.995, $"only {rate:P2} of libstdc++'s symbols agree with llvm-cxxfilt");
    }

    private static List<string> Symbols(string path, bool dynamic)
    {
        var args = new List<string> { "--defined-only", "--format=just-symbols" };
        if (dynamic) args.Add("-D");
        args.Add(path);
        var r = Toolchain.Run(Toolchain.LlvmNm, args);
        Assert.Equal(0, r.ExitCode);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Split('@')[0])
            .Where(s => s.Length > 0)
            .Distinct()
            .ToList();
    }

    private static (int Agree, int Total, List<string> Disagreements) Compare(List<string> symbols)
    {
        var r = Toolchain.Run(Toolchain.LlvmCxxfilt, [], stdin: string.Join('\n', symbols) + "\n");
        Assert.Equal(0, r.ExitCode);
        var expected = r.Stdout.Split('\n');
        Assert.True(expected.Length >= symbols.Count, "llvm-cxxfilt printed fewer lines than it was given");
        int agree = 0;
        var disagreements = new List<(string Symbol, string Llvm, string Ours)>();
        for (int i = 0; i < symbols.Count; i++)
        {
            var mine = Demangler.Demangle(symbols[i]);
            if (mine == expected[i]) agree++;
            else disagreements.Add((symbols[i], expected[i], mine));
        }
        // A name llvm-cxxfilt gives back unchanged is one its demangler cannot read (libstdc++'s enable_if return types
        // of _Rb_tree::_M_insert_range_unique); there GNU c++filt, which spells "> >" where LLVM spells ">>", is the reference.
        var unread = disagreements.Where(d => d.Llvm == d.Symbol).ToList();
        if (unread.Count > 0)
        {
            var gnu = Toolchain.Run(Toolchain.GnuCxxfilt, [], stdin: string.Join('\n', unread.Select(d => d.Symbol)) + "\n").Stdout.Split('\n');
            for (int i = 0; i < unread.Count; i++)
            {
                if (i >= gnu.Length || gnu[i] == unread[i].Symbol || Spelled(gnu[i]) != Spelled(unread[i].Ours)) continue;
                disagreements.Remove(unread[i]);
                agree++;
            }
        }
        return (agree, symbols.Count, disagreements.Select(d => $"{d.Symbol}\n      llvm: {d.Llvm}\n      ours: {d.Ours}").ToList());
    }

    private static string Spelled(string demangled)
    {
        var text = demangled;
        while (text.Contains("> >", StringComparison.Ordinal)) text = text.Replace("> >", ">>", StringComparison.Ordinal);
        return text;
    }
}
