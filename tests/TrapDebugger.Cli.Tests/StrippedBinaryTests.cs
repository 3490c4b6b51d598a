using TrapDebugger.Cli.Commands;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg symbols</c> on a stripped file says which table is missing (and suggests <c>-D</c> when the dynamic one is
/// still there) instead of printing nothing; llvm-nm agrees that there is nothing to list.</summary>
public sealed class StrippedBinaryTests(ITestOutputHelper output)
{
    private const string Source = "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"%d\\n\", argc); return argc > 5; }\n";

    private static string Stripped(params string[] flags)
    {
        var program = Fixtures.CompileSource(Source, "stripped_main.c", BuildVariant.Clang22O0, flags);
        var copy = Path.Combine(Path.GetTempPath(), $"trapdbg-stripped-{Environment.ProcessId}-{Guid.NewGuid():N}");
        // GNU strip: llvm-strip-22 refuses the .rela.plt of a static glibc program.
        var strip = Toolchain.Run(Toolchain.Find("strip"), ["--strip-all", "-o", copy, program]);
        Assert.True(strip.ExitCode == 0, strip.Stderr);
        return copy;
    }

    private static (int Code, string Stdout, string Stderr) Symbols(string path, bool dynamic)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SymbolsCommand.Run(path, json: false, dynamic, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void StrippedProgramSaysItHasNoSymbolTableAndSuggestsDynamic()
    {
        var path = Stripped();
        try
        {
            Assert.Contains("no symbols", Toolchain.Run(Toolchain.LlvmNm, [path]).Stderr);
            var (code, stdout, stderr) = Symbols(path, dynamic: false);
            output.WriteLine(stderr);
            Assert.Equal(0, code);
            Assert.Equal("", stdout);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains($"{path} has no symbol table (.symtab)", stderr);
            Assert.Contains($"trapdbg symbols -D {path}", stderr);

            // A script asking for JSON gets an empty array to parse, and the same one-line note.
            var jsonOut = new StringWriter();
            var jsonErr = new StringWriter();
            Assert.Equal(0, SymbolsCommand.Run(path, json: true, dynamic: false, jsonOut, jsonErr));
            using (var listing = System.Text.Json.JsonDocument.Parse(jsonOut.ToString()))
                Assert.Equal(0, listing.RootElement.GetArrayLength());
            Assert.Equal(stderr, jsonErr.ToString());

            // What it suggests works: the dynamic symbols, as llvm-nm -D lists them.
            var (dynamicCode, dynamicOut, dynamicErr) = Symbols(path, dynamic: true);
            Assert.Equal(0, dynamicCode);
            Assert.Equal("", dynamicErr);
            var nm = Toolchain.Run(Toolchain.LlvmNm, ["-D", path]);
            Assert.Equal(nm.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), dynamicOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(dynamicOut.Split('\n'), l => l.EndsWith(" printf@GLIBC_2.2.5", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StrippedStaticProgramSaysBothTablesAreMissing()
    {
        var path = Stripped("-static");
        try
        {
            Assert.Contains("no symbols", Toolchain.Run(Toolchain.LlvmNm, ["-D", path]).Stderr);
            var (code, stdout, stderr) = Symbols(path, dynamic: false);
            output.WriteLine(stderr);
            Assert.Equal(0, code);
            Assert.Equal("", stdout);
            Assert.Contains("no symbol table (.symtab) and no dynamic symbol table (.dynsym)", stderr);
            Assert.DoesNotContain("-D", stderr);
            var (dynamicCode, dynamicOut, dynamicErr) = Symbols(path, dynamic: true);
            Assert.Equal(0, dynamicCode);
            Assert.Equal("", dynamicOut);
            Assert.Contains($"{path} has no dynamic symbol table (.dynsym)", dynamicErr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
