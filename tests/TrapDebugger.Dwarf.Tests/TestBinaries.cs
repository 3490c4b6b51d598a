using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>The programs the DWARF reader is checked on: fixtures plus small C++ and Rust programs that exercise namespaces, templates, inlining and several producers.</summary>
public static class TestBinaries
{
    public const string CxxSource = """
        #include <cstdio>
        #include <cstdlib>
        namespace geometry {
        template <typename T> struct Box {
            T w, h;
            __attribute__((always_inline)) inline T area() const { return w * h; }
            T scaled(T k) const { return area() * k; }
        };
        namespace {
        int helper(int x) { return x * 3 + 1; }
        }
        }
        struct Base { virtual ~Base() = default; virtual int f(int v) { return v + 1; } };
        struct Derived : Base { int f(int v) override { return v * 2; } };
        static inline int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
        __attribute__((noinline)) int compute(int n) {
            geometry::Box<int> b{n, n + 1};
            int s = 0;
            for (int i = 0; i < n; ++i) {
                s += clamp(b.scaled(i), 0, 1000);
                if (s > 5000) {
        #if defined(__clang__)
                    __builtin_verbose_trap("Overflow", "sum too large");
        #else
                    __builtin_trap();
        #endif
                }
            }
            return s + geometry::helper(n);
        }
        int main(int argc, char **argv) {
            int n = argc > 1 ? std::atoi(argv[1]) : 3;
            Derived d;
            Base *p = argc > 5 ? new Base : &d;
            double box = geometry::Box<double>{1.5, 2.0}.scaled(n);
            std::printf("%d %d %f\n", compute(n), p->f(n), box);
            return 0;
        }
        """;

    public const string CSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        struct point { int x, y; };
        static inline int sq(int v) { return v * v; }
        static int dist2(struct point a, struct point b) { return sq(a.x - b.x) + sq(a.y - b.y); }
        __attribute__((weak)) int weak_hook(int v) { return v; }
        int table[16];
        __attribute__((noinline)) int fill(int n) {
            int total = 0;
            for (int i = 0; i < n && i < 16; i++) {
                struct point p = { i, n - i }, q = { n, i };
                table[i] = dist2(p, q);
                total += weak_hook(table[i]);
            }
            return total;
        }
        int main(int argc, char **argv) {
            int n = argc > 1 ? atoi(argv[1]) : 10;
            char buf[32];
            snprintf(buf, sizeof buf, "%d", fill(n));
            puts(buf);
            return (int)strlen(buf) == 0;
        }
        """;

    public const string RustSource = """
        mod shapes {
            pub struct Rect { pub w: u32, pub h: u32 }
            impl Rect {
                #[inline(always)]
                pub fn area(&self) -> u32 { self.w * self.h }
                pub fn scaled(&self, k: u32) -> u32 { self.area().wrapping_mul(k) }
            }
        }
        fn checked(v: &[u32], i: usize) -> u32 { v[i] }
        fn main() {
            let args: Vec<String> = std::env::args().collect();
            let n: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3);
            let r = shapes::Rect { w: n, h: n + 1 };
            let v = vec![1u32, 2, 3, 4];
            println!("{} {}", r.scaled(n), checked(&v, (n % 4) as usize));
        }
        """;

    /// <summary>Binaries named "program/producer-optimization[+format]", built on demand.</summary>
    /// <remarks>The formats are the ways the same DWARF reaches a reader: +dwarf64 (64-bit offsets), +zlib and +zstd
    /// (SHF_COMPRESSED sections from the compiler and linker), +zlibgnu (legacy .zdebug_* sections), +zstdobjcopy
    /// (compressed afterwards by llvm-objcopy), +split (skeleton units with the DIEs in .dwo files next to the objects),
    /// +dwp (the .dwo files packed into one .dwp by llvm-dwp, the .dwo files removed).</remarks>
    public static IEnumerable<TheoryDataRow<string>> Names()
    {
        foreach (var v in new[] { "clang22-O0", "clang22-O2", "clang19-O0", "clang19-O2" })
            yield return new TheoryDataRow<string>($"verbose_trap/{v}");
        foreach (var v in new[] { "clang22-O0", "clang22-O2", "gcc-O0", "gcc-O2" })
        {
            yield return new TheoryDataRow<string>($"cxx/{v}");
            yield return new TheoryDataRow<string>($"c/{v}");
        }
        yield return new TheoryDataRow<string>("rust/debug");
        yield return new TheoryDataRow<string>("rust/opt");
        foreach (var name in FormatVariants)
            yield return new TheoryDataRow<string>(name);
    }

    /// <summary>The same programs in other DWARF encodings: 64-bit DWARF, compressed sections and split DWARF.</summary>
    public static readonly string[] FormatVariants =
    [
        "c/clang22-O0+dwarf64", "cxx/clang22-O2+dwarf64", "c/gcc-O0+dwarf64", "cxx/gcc-O2+dwarf64",
        "cxx/clang22-O2+zlib", "c/clang22-O0+zstd", "cxx/clang22-O2+zstd", "c/gcc-O2+zlib", "cxx/gcc-O2+zlibgnu", "cxx/gcc-O2+zstdobjcopy",
        "c/clang22-O0+split", "cxx/clang22-O2+split", "cxx/gcc-O2+split", "cxx/clang22-O2+dwp",
        "c/clang22-O0+pubnames", "cxx/clang22-O2+pubnames", "cxx2/clang22-O2+pubnames", "cxx2/clang22-O0+pubnamesmerged",
        "cxx/clang22-O2+splitpubnames",
    ];

    /// <summary>The variants built with a .debug_names name index (-gpubnames).</summary>
    public static IEnumerable<TheoryDataRow<string>> NameIndexed() =>
        FormatVariants.Where(v => v.Contains("pubnames", StringComparison.Ordinal)).Select(v => new TheoryDataRow<string>(v));

    /// <summary>A second C++ unit for two-unit programs ("cxx2"): the same plain names as the first unit in other scopes,
    /// so a name index must tell the units apart.</summary>
    public const string CxxSecondUnitSource = """
        namespace geometry {
        template <typename T> struct Box { T w; __attribute__((noinline)) T area() const { return w * w + 1; } };
        }
        namespace other {
        __attribute__((noinline)) int compute(int n) { return geometry::Box<long>{n}.area() > 7 ? n : -n; }
        static inline int clamp(int v) { return v > 9 ? 9 : v; }
        }
        int second_unit_entry(int n) { return other::compute(n) + other::clamp(n); }
        """;

    private static BuildVariant Variant(string v) => v switch
    {
        "clang22-O0" => BuildVariant.Clang22O0,
        "clang22-O2" => BuildVariant.Clang22O2,
        "clang19-O0" => BuildVariant.Clang19O0,
        "clang19-O2" => BuildVariant.Clang19O2,
        "gcc-O0" => BuildVariant.GccO0,
        "gcc-O2" => BuildVariant.GccO2,
        _ => throw new ArgumentException(v),
    };

    /// <summary>The path of the binary called <paramref name="name"/>.</summary>
    public static string Path(string name)
    {
        var parts = name.Split('/');
        if (parts[0] == "cxx2")
        {
            var (variant, format) = (Variant(parts[1].Split('+')[0]), parts[1].Split('+')[1]);
            string[] link = format == "pubnamesmerged" ? ["-fuse-ld=lld", "-Wl,--debug-names"] : [];
            return BuildKept([("shapes.cpp", CxxSource), ("second.cpp", CxxSecondUnitSource)], variant, ["-gpubnames"], link, packed: false, format);
        }
        var variantAndFormat = parts[1].Split('+');
        if (variantAndFormat.Length == 2)
            return BuildFormat(parts[0], Variant(variantAndFormat[0]), variantAndFormat[1]);
        return parts[0] switch
        {
            "verbose_trap" => Fixtures.Build("verbose_trap", Variant(parts[1])).Program,
            "cxx" => Fixtures.CompileSource(CxxSource, "shapes.cpp", Variant(parts[1])),
            "c" => Fixtures.CompileSource(CSource, "points.c", Variant(parts[1])),
            "rust" => BuildRust(parts[1] == "opt"),
            _ => throw new ArgumentException(name),
        };
    }

    private static (string Source, string FileName) SourceOf(string program) => program switch
    {
        "cxx" => (CxxSource, "shapes.cpp"),
        "c" => (CSource, "points.c"),
        _ => throw new ArgumentException(program),
    };

    private static string BuildFormat(string program, BuildVariant variant, string format)
    {
        var (source, fileName) = SourceOf(program);
        return format switch
        {
            "dwarf64" => Fixtures.CompileSource(source, fileName, variant, "-gdwarf64"),
            "zlib" => Fixtures.CompileSource(source, fileName, variant, "-gz=zlib"),
            "zstd" => Fixtures.CompileSource(source, fileName, variant, "-gz=zstd"),
            "zlibgnu" => Fixtures.CompileSource(source, fileName, variant, "-gz=zlib-gnu"),
            "zstdobjcopy" => CompressWithObjcopy(Fixtures.CompileSource(source, fileName, variant)),
            "split" or "dwp" => BuildKept([(fileName, source)], variant, ["-gsplit-dwarf"], [], packed: format == "dwp", format),
            "splitpubnames" => BuildKept([(fileName, source)], variant, ["-gsplit-dwarf", "-gpubnames"], [], packed: false, format),
            "pubnames" => Fixtures.CompileSource(source, fileName, variant, "-gpubnames"),
            _ => throw new ArgumentException(format),
        };
    }

    /// <summary>The file LLVM's tools are given as the reference for <paramref name="name"/>: the binary itself, except that
    /// LLVM 22 no longer reads legacy .zdebug_* sections, so for +zlibgnu it reads a copy that GNU objcopy decompressed
    /// (same DWARF bytes, same addresses); the reader under test still reads the .zdebug_* file.</summary>
    public static string ReferencePath(string name)
    {
        var path = Path(name);
        if (!name.EndsWith("+zlibgnu", StringComparison.Ordinal)) return path;
        var plain = path + ".decompressed";
        using (CacheLock.Acquire(plain))
        {
            if (File.Exists(plain)) return plain;
            var r = Toolchain.Run(Toolchain.Find("objcopy"), ["--decompress-debug-sections", path, plain + ".tmp"]);
            if (r.ExitCode != 0) throw new InvalidOperationException($"objcopy failed: {r.Stderr}");
            File.Move(plain + ".tmp", plain);
        }
        return plain;
    }

    /// <summary>The C++ program in split DWARF whose DW_AT_comp_dir names a directory that does not exist, so its .dwo
    /// can only be found next to the program.</summary>
    public static string SplitWithMissingCompilationDirectory() =>
        BuildKept([("shapes.cpp", CxxSource)], BuildVariant.Clang22O2, ["-gsplit-dwarf", "-fdebug-compilation-dir=/nonexistent-trapdbg-build"], [], packed: false, "splitelsewhere");

    private static string CompressWithObjcopy(string program)
    {
        var compressed = program + ".zstd";
        using (CacheLock.Acquire(compressed))
        {
            if (File.Exists(compressed)) return compressed;
            var r = Toolchain.Run(Toolchain.Find("llvm-objcopy-22"), ["--compress-debug-sections=zstd", program, compressed + ".tmp"]);
            if (r.ExitCode != 0) throw new InvalidOperationException($"llvm-objcopy failed: {r.Stderr}");
            File.Move(compressed + ".tmp", compressed);
        }
        return compressed;
    }

    // Split DWARF names its .dwo files by the directory they were compiled in, so the build happens in the directory
    // the tests keep (compile each unit, then link, as a build system does), not in a temporary one moved afterwards.
    private static string BuildKept((string FileName, string Source)[] units, BuildVariant variant, string[] compileFlags, string[] linkFlags, bool packed, string format)
    {
        string fileName = units[0].FileName;
        bool cxx = fileName.EndsWith(".cpp", StringComparison.Ordinal);
        string compiler = variant.Compiler switch
        {
            Compiler.Clang22 => cxx ? Toolchain.ClangXX22 : Toolchain.Clang22,
            Compiler.Gcc => cxx ? Toolchain.Gxx : Toolchain.Gcc,
            _ => throw new ArgumentException(variant.ToString()),
        };
        string key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{string.Join("\0", units.Select(u => u.Source))}\0{variant}\0{string.Join(' ', compileFlags)}\0{string.Join(' ', linkFlags)}\0{packed}")))[..12];
        var dir = System.IO.Path.Combine(Repository.FixtureCache, "dwarf-tests", $"{format}-{System.IO.Path.GetFileNameWithoutExtension(fileName)}-{units.Length}-{variant}-{key}");
        var program = System.IO.Path.Combine(dir, System.IO.Path.GetFileNameWithoutExtension(fileName));
        using (CacheLock.Acquire(dir))
        {
            if (File.Exists(System.IO.Path.Combine(dir, ".complete"))) return program;
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(dir);
            var objects = new List<string>();
            foreach (var (unitFile, unitSource) in units)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, unitFile), unitSource);
                var obj = System.IO.Path.GetFileNameWithoutExtension(unitFile) + ".o";
                Run(compiler, ["-g", .. compileFlags, variant.Optimization, "-c", unitFile, "-o", obj]);
                objects.Add(obj);
            }
            Run(compiler, [.. objects, .. linkFlags, "-o", program]);
            if (packed)
            {
                Run(Toolchain.Find("llvm-dwp-22"), ["-e", program, "-o", program + ".dwp"]);
                foreach (var dwo in Directory.EnumerateFiles(dir, "*.dwo")) File.Delete(dwo);
            }
            File.WriteAllText(System.IO.Path.Combine(dir, ".complete"), "");
        }
        return program;

        void Run(string tool, string[] args)
        {
            var r = Toolchain.Run(tool, args, dir);
            if (r.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {r.Stderr}");
        }
    }

    private static string BuildRust(bool optimize)
    {
        var dir = System.IO.Path.Combine(Repository.FixtureCache, "dwarf-tests", $"rust-{(optimize ? "opt" : "debug")}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(RustSource)))[..12]}");
        var program = System.IO.Path.Combine(dir, "shapes");
        using (CacheLock.Acquire(dir))
        {
            if (File.Exists(program)) return program;
            Directory.CreateDirectory(dir);
            var src = System.IO.Path.Combine(dir, "shapes.rs");
            File.WriteAllText(src, RustSource);
            var r = Toolchain.Run(Toolchain.Rustc, ["-g", "-C", $"opt-level={(optimize ? 2 : 0)}", "-o", program + ".tmp", src], dir);
            if (r.ExitCode != 0) throw new InvalidOperationException($"rustc failed: {r.Stderr}");
            File.Move(program + ".tmp", program);
        }
        return program;
    }

    /// <summary>glibc's separate debug file, found through the build id of the installed libc.so.6.</summary>
    public static string GlibcDebugFile()
    {
        using var libc = Elf.ElfFile.Open("/lib/x86_64-linux-gnu/libc.so.6");
        var id = libc.BuildIdHex ?? throw new InvalidOperationException("libc.so.6 has no build id");
        var path = $"/usr/lib/debug/.build-id/{id[..2]}/{id[2..]}.debug";
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing; install libc6-dbg (scripts/bootstrap)");
        return path;
    }
}
