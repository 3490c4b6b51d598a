using TrapDebugger.TestSupport;

namespace TrapDebugger.Elf.Tests;

/// <summary>Symbols, notes, the dynamic section and separate debug files agree with llvm-nm / llvm-readelf on real programs.</summary>
public sealed class ElfAgreementTests(ITestOutputHelper output)
{
    private const string Source = """
        #include <stdio.h>
        __attribute__((weak)) int weak_fn(void) { return 1; }
        __attribute__((weak)) int weak_data = 3;
        extern int missing_weak(void) __attribute__((weak));
        static int local_counter;
        int global_data = 7;
        const char banner[] = "hello";
        int main(void) { local_counter++; printf("%s %d %d\n", banner, weak_fn() + weak_data, missing_weak ? missing_weak() : 0); return global_data - 7; }
        """;

    public static TheoryData<string> Programs => ["clang22-O0", "clang22-O2", "gcc-O2", "libc"];

    private static string Build(string variant) => variant switch
    {
        "libc" => "/lib/x86_64-linux-gnu/libc.so.6",
        "clang22-O0" => Fixtures.CompileSource(Source, "kinds.c", BuildVariant.Clang22O0),
        "clang22-O2" => Fixtures.CompileSource(Source, "kinds.c", BuildVariant.Clang22O2),
        _ => Fixtures.CompileSource(Source, "kinds.c", BuildVariant.GccO2),
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void SymbolKindsAgreeWithLlvmNm(string variant)
    {
        var path = Build(variant);
        using var elf = ElfFile.Open(path);
        foreach (var dynamic in new[] { false, true })
        {
            var nm = Toolchain.Run(Toolchain.LlvmNm, dynamic ? ["-D", path] : [path]);
            var theirs = nm.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            var ours = (dynamic ? elf.Symbols.Dynamic : elf.Symbols.Static).Where(NmSymbolKind.IsListed)
                .OrderBy(s => s.VersionedName, StringComparer.Ordinal).ThenBy(s => s.Value)
                .Select(s => $"{(s.IsUndefined ? new string(' ', 16) : s.Value.ToString("x16"))} {NmSymbolKind.Of(elf, s)} {s.VersionedName}").ToList();
            int agreed = ours.Zip(theirs).Count(p => p.First == p.Second);
            output.WriteLine($"{variant} {(dynamic ? ".dynsym" : ".symtab")}: {agreed}/{theirs.Count} lines agree with llvm-nm");
            Assert.Equal(theirs, ours);
        }
        if (variant != "libc")
        {
            Assert.Contains(elf.Symbols.Static, s => s.Name == "weak_data" && NmSymbolKind.Of(elf, s) == 'V');
            Assert.Contains(elf.Symbols.Static, s => s.Name == "weak_fn" && NmSymbolKind.Of(elf, s) == 'W');
            Assert.Contains(elf.Symbols.Static, s => s.Name == "missing_weak" && NmSymbolKind.Of(elf, s) == 'w');
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public void BuildIdAndDynamicSectionAgreeWithReadelf(string variant)
    {
        var path = Build(variant);
        using var elf = ElfFile.Open(path);
        var notes = Toolchain.Run("/usr/bin/llvm-readelf-22", ["-n", path]).Stdout;
        var id = notes.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Build ID:", StringComparison.Ordinal))?[9..].Trim();
        Assert.Equal(id, elf.BuildIdHex);
        var dyn = Toolchain.Run("/usr/bin/llvm-readelf-22", ["-d", path]).Stdout;
        var needed = dyn.Split('\n').Where(l => l.Contains("(NEEDED)")).Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')]).ToList();
        Assert.Equal(needed, elf.Dynamic.Needed);
        var soname = dyn.Split('\n').Where(l => l.Contains("(SONAME)")).Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')]).FirstOrDefault();
        Assert.Equal(soname, elf.Dynamic.SharedObjectName);
        Assert.Equal(dyn.Contains("(DEBUG)"), elf.Dynamic.DebugEntryAddress.HasValue);
        output.WriteLine($"{variant}: build id {elf.BuildIdHex}, needed [{string.Join(", ", elf.Dynamic.Needed)}], soname {soname ?? "-"}, pie {elf.IsPositionIndependent}");
        if (variant == "libc")
            Assert.Equal("libc.so.6", elf.Dynamic.SharedObjectName);
    }

    [Fact]
    public void LoadBiasOfPieIsTheMappingStartMinusTheFirstLoadAddress()
    {
        using var elf = ElfFile.Open(Build("clang22-O0"));
        Assert.True(elf.IsPositionIndependent);
        Assert.Equal(0UL, elf.FirstLoadAddress);
        Assert.Equal(0x5555_5555_4000UL, elf.LoadBias(0x5555_5555_4000));
    }

    [Fact]
    public void GlibcDebugFileIsFoundByBuildId()
    {
        using var libc = ElfFile.Open("/lib/x86_64-linux-gnu/libc.so.6");
        var found = new DebugFileLocator().Locate(libc, "/lib/x86_64-linux-gnu/libc.so.6");
        Assert.NotNull(found);
        Assert.Contains($"/.build-id/{libc.BuildIdHex![..2]}/{libc.BuildIdHex[2..]}.debug", found);
        using var debug = ElfFile.Open(found!);
        Assert.True(debug.FindSection(".debug_info")!.IsCompressed);
        Assert.False(debug.GetDebugSection(".debug_info").IsEmpty);
    }

    [Theory]
    [InlineData("beside")]
    [InlineData(".debug")]
    [InlineData("global")]
    [InlineData("extra-build-id")]
    public void SeparateDebugFileIsFoundByDebuglinkWithItsCrcChecked(string where)
    {
        var dir = Directory.CreateTempSubdirectory("trapdbg-debuglink-");
        try
        {
            var program = Path.Combine(dir.FullName, "prog");
            File.Copy(Build("clang22-O0"), program);
            var debugName = "prog.debug";
            var debugFile = Path.Combine(dir.FullName, debugName);
            Objcopy("--only-keep-debug", program, debugFile);
            Objcopy("--strip-debug", program);
            Objcopy($"--add-gnu-debuglink={debugFile}", program);
            var globalRoot = Path.Combine(dir.FullName, "root");
            string target = where switch
            {
                "beside" => debugFile,
                ".debug" => Path.Combine(dir.FullName, ".debug", debugName),
                "global" => globalRoot + dir.FullName + "/" + debugName,
                _ => "",
            };
            using var elf = ElfFile.Open(program);
            if (where == "extra-build-id")
            {
                var id = elf.BuildIdHex!;
                target = Path.Combine(dir.FullName, "extra", id[..2], id[2..] + ".debug");
            }
            if (target != debugFile)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(debugFile, target);
            }
            var locator = new DebugFileLocator([globalRoot], [Path.Combine(dir.FullName, "extra")]);
            Assert.Equal(target, locator.Locate(elf, program));
            if (where != "extra-build-id")
            {
                // A debug file whose CRC does not match the link is not used.
                using (var f = new FileStream(target, FileMode.Open, FileAccess.ReadWrite)) { f.Seek(-1, SeekOrigin.End); int b = f.ReadByte(); f.Seek(-1, SeekOrigin.End); f.WriteByte((byte)(b ^ 0xff)); }
                Assert.Null(locator.Locate(elf, program));
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static void Objcopy(params string[] args)
    {
        var r = Toolchain.Run("/usr/bin/llvm-objcopy-22", args);
        Assert.True(r.ExitCode == 0, r.Stderr);
    }
}
