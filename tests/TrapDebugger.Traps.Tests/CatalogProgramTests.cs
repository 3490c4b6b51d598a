using System.Globalization;
using TrapDebugger.TestSupport;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>The trap-site catalog over real programs, cross-checked against llvm-objdump and the meaning of each check.</summary>
public sealed class CatalogProgramTests
{
    // One UBSan check per function; the expected handler follows from what the function does, not from the table.
    private const string UbsanSource = """
        #include <stdint.h>
        extern "C" {
        int add(int a, int b) { return a + b; }
        int sub(int a, int b) { return a - b; }
        int mul(int a, int b) { return a * b; }
        int neg(int a) { return -a; }
        int dv(int a, int b) { return a / b; }
        int shl(int a, int b) { return a << b; }
        int arr(int i) { int t[4] = {1, 2, 3, 4}; return t[i]; }
        int unr(int x) { if (x) return 1; __builtin_unreachable(); }
        int vla(int n) { volatile int a[n]; a[0] = 1; return a[0]; }
        int ctz(unsigned x) { return __builtin_ctz(x); }
        int fc(float f) { return (int)f; }
        unsigned char ic(int x) { return x; }
        int ld(int *p) { return *p; }
        char *ptr(char *p, long i) { return p + i; }
        int *aa(int *p) { return (int *)__builtin_assume_aligned(p, 64); }
        __attribute__((noinline)) int nn(int *p) __attribute__((nonnull));
        int nn(int *p) { return p != 0; }
        int callnn(int *p) { return nn(p); }
        __attribute__((returns_nonnull)) int *rn(int *p) { return p; }
        int *_Nonnull nr(int *p) { return p; }
        __attribute__((noinline)) int na(int *_Nonnull p) { return p != 0; }
        int callna(int *p) { return na(p); }
        int mr(int x) { if (x) return 1; }
        typedef int (*fp)(int);
        int callf(void *f) { return ((fp)f)(1); }
        }
        int main() { return 0; }
        """;

    public static TheoryData<string, string, string> UbsanCases()
    {
        var expected = new (string Function, string Handler)[]
        {
            ("add", "AddOverflow"), ("sub", "SubOverflow"), ("mul", "MulOverflow"), ("neg", "NegateOverflow"),
            ("dv", "DivremOverflow"), ("shl", "ShiftOutOfBounds"), ("arr", "OutOfBounds"), ("unr", "BuiltinUnreachable"),
            ("vla", "VLABoundNotPositive"), ("ctz", "InvalidBuiltin"), ("fc", "FloatCastOverflow"), ("ic", "ImplicitConversion"),
            ("ld", "TypeMismatch"), ("ptr", "PointerOverflow"), ("aa", "AlignmentAssumption"), ("callnn", "NonnullArg"),
            ("rn", "NonnullReturn"), ("nr", "NullabilityReturn"), ("callna", "NullabilityArg"), ("mr", "MissingReturn"),
            ("callf", "FunctionTypeMismatch"),
        };
        var data = new TheoryData<string, string, string>();
        foreach (var compiler in new[] { "clang22", "clang19" })
            foreach (var (function, handler) in expected)
                data.Add(compiler, function, handler);
        return data;
    }

    private static readonly Dictionary<string, (string Program, TrapSiteCatalog Catalog, Dictionary<ulong, int> ObjdumpUd1)> Built = [];

    private static (string Program, TrapSiteCatalog Catalog, Dictionary<ulong, int> ObjdumpUd1) BuildUbsan(string compiler)
    {
        lock (Built)
        {
            if (Built.TryGetValue(compiler, out var known)) return known;
            var variant = compiler == "clang22" ? new BuildVariant(Compiler.Clang22, "-O1") : new BuildVariant(Compiler.Clang19, "-O1");
            var program = Fixtures.CompileSource(UbsanSource, "ubsan_kinds.cpp", variant,
                "-fsanitize=undefined,implicit-conversion,nullability,float-cast-overflow", "-fno-sanitize=vptr", "-fsanitize-trap=all", "-w");
            var symbols = new LlvmSymbolizer(program, 0);
            var catalog = TrapSiteCatalog.Build(symbols.Functions, new ElfImage(program, 0), symbols, null, compiler == "clang22" ? 22 : 19);
            var built = (program, catalog, ObjdumpUd1(program));
            Built[compiler] = built;
            return built;
        }
    }

    /// <summary>Every `ud1l k(%eax), %eax` llvm-objdump sees, by address, with its immediate.</summary>
    private static Dictionary<ulong, int> ObjdumpUd1(string program)
    {
        var result = new Dictionary<ulong, int>();
        var text = Toolchain.Run(Toolchain.LlvmObjdump, ["-d", "--no-show-raw-insn", program]).Stdout;
        foreach (var line in text.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^\s*([0-9a-f]+):\s+ud1l\s+(?:0x([0-9a-f]+))?\(%eax\), %eax");
            if (m.Success)
                result[ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)] =
                    m.Groups[2].Success ? int.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0;
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(UbsanCases))]
    public void UbsanCheckKindOfEachFunctionIsNamed(string compiler, string function, string handler)
    {
        var (_, catalog, objdump) = BuildUbsan(compiler);
        var sites = catalog.Sites.Where(s => s.Function == function && s.Kind == TrapInstructionKind.UbsanUd1).ToList();
        Assert.NotEmpty(sites);
        Assert.Contains(handler, sites.Select(s => s.UbsanCheck?.Handler));
        foreach (var site in sites)
        {
            // The immediate decoded by Iced agrees with llvm-objdump's reading of the same instruction.
            Assert.True(objdump.TryGetValue(site.Address, out var immediate), $"llvm-objdump shows no ud1 at 0x{site.Address:x}");
            Assert.Equal(immediate, site.UbsanCheck?.Ordinal);
            // Clang 22 also emits a __clang_trap_msg$Undefined Behavior Sanitizer$… frame at each ud1; clang 19 does not.
            Assert.Equal(compiler == "clang22" ? MessageSource.Dwarf : MessageSource.UbsanCheckKind, site.MessageSource);
            Assert.Equal("Undefined Behavior Sanitizer", site.Category);
        }
    }

    [Fact]
    public void CatalogFindsExactlyTheUd1InstructionsObjdumpFinds()
    {
        foreach (var compiler in new[] { "clang22", "clang19" })
        {
            var (_, catalog, objdump) = BuildUbsan(compiler);
            var ours = catalog.Sites.Where(s => s.Kind == TrapInstructionKind.UbsanUd1).Select(s => s.Address).Order().ToList();
            Assert.Equal(objdump.Keys.Order().ToList(), ours);
        }
    }

    [Theory]
    [InlineData("-O0")]
    [InlineData("-O2")]
    public void VerboseTrapSitesCarryTheirMessagesAndMergeCounts(string optimization)
    {
        var program = Fixtures.CompileSource(MergedTrapSource, "checks.c", new BuildVariant(Compiler.Clang22, optimization));
        var symbols = new LlvmSymbolizer(program, 0);
        var catalog = TrapSiteCatalog.Build(symbols.Functions, new ElfImage(program, 0), symbols, new FileSourceText(Path.GetDirectoryName(program)), 22);
        var ud2s = Toolchain.Run(Toolchain.LlvmObjdump, ["-d", "--no-show-raw-insn", program]).Stdout
            .Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s*[0-9a-f]+:\s+ud2\s*$"));
        var sites = catalog.Sites.Where(s => s.Kind == TrapInstructionKind.Ud2).ToList();
        Assert.Equal(ud2s, sites.Count);
        var expected = new[] { "Null check: buffer is null", "Division: divisor is zero", "Bounds check: index out of range", "Range check: value above limit" };
        if (optimization == "-O0")
        {
            // One ud2 per check, each with its message from the trap frame.
            Assert.Equal(expected.Order(), sites.Select(s => VerboseTrapName.Describe(s.Category ?? "", s.Message ?? "")).Order());
            Assert.All(sites, s => Assert.Equal(MessageSource.Dwarf, s.MessageSource));
        }
        else
        {
            // One merged ud2 in compute; the four checks reach it and their messages come back from the source.
            var merged = Assert.Single(sites, s => s.Function == "compute");
            Assert.Equal(4, merged.MergedCheckCount);
            Assert.Equal(expected.Order(), merged.Origins.Select(o => VerboseTrapName.Describe(o.Category ?? "", o.Message ?? "")).Order());
            Assert.All(merged.Origins, o => Assert.Equal(MessageSource.RecoveredFromSource, o.MessageSource));
            Assert.Null(merged.Message);
        }
    }

    private static string MergedTrapSource => MergedTrapProgramTests.ProgramSource;
}
