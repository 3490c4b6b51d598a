using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace TrapDebugger.TestSupport;

/// <summary>Which compiler builds a fixture, and how.</summary>
public enum Compiler { Clang22, Clang19, Gcc, Rustc }

/// <summary>One way of building a fixture: a compiler and an optimization level.</summary>
public readonly record struct BuildVariant(Compiler Compiler, string Optimization)
{
    public static readonly BuildVariant Clang22O0 = new(Compiler.Clang22, "-O0");
    public static readonly BuildVariant Clang22O2 = new(Compiler.Clang22, "-O2");
    public static readonly BuildVariant Clang19O0 = new(Compiler.Clang19, "-O0");
    public static readonly BuildVariant Clang19O2 = new(Compiler.Clang19, "-O2");
    public static readonly BuildVariant GccO0 = new(Compiler.Gcc, "-O0");
    public static readonly BuildVariant GccO2 = new(Compiler.Gcc, "-O2");
    public static readonly BuildVariant RustcDebug = new(Compiler.Rustc, "-O0");
    public static readonly BuildVariant RustcRelease = new(Compiler.Rustc, "-O2");

    /// <summary>A short name used in the cache folder and in test names, e.g. "clang22-O2".</summary>
    public override string ToString() => $"{Compiler.ToString().ToLowerInvariant()}{Optimization}";
}

/// <summary>A compiled fixture: the program to run and, if the fixture has one, the shared library it loads.</summary>
public sealed record FixtureBinary(string Name, BuildVariant Variant, string Program, string? SharedLibrary, IReadOnlyList<string> Sources);

/// <summary>Builds debuggee programs from tests/fixtures at test time, cached by a hash of sources, flags and compiler.</summary>
/// <remarks>Builds run into a temporary folder that is renamed into place, so parallel test processes never see a
/// half-written binary.</remarks>
public static class Fixtures
{
    // One lock per cache folder: different builds run in parallel, the same build runs once per process.
    private static readonly ConcurrentDictionary<string, object> Gates = new(StringComparer.Ordinal);

    private static object GateFor(string dir) => Gates.GetOrAdd(dir, _ => new object());

    /// <summary>Every fixture the repository ships.</summary>
    public static IReadOnlyList<FixtureDefinition> All => FixtureCatalog.All;

    /// <summary>The definition named <paramref name="name"/>.</summary>
    public static FixtureDefinition Get(string name) =>
        FixtureCatalog.All.FirstOrDefault(f => f.Name == name)
        ?? throw new ArgumentException($"no fixture named '{name}' in tests/fixtures (known: {string.Join(", ", FixtureCatalog.All.Select(f => f.Name))})");

    /// <summary>Compiles fixture <paramref name="name"/> with <paramref name="variant"/> (cached) and returns the binary.</summary>
    public static FixtureBinary Build(string name, BuildVariant variant) => Build(Get(name), variant);

    /// <summary>Compiles <paramref name="fixture"/> with <paramref name="variant"/> (cached) and returns the binary.</summary>
    public static FixtureBinary Build(FixtureDefinition fixture, BuildVariant variant)
    {
        if (!fixture.Supports(variant))
            throw new ArgumentException($"fixture '{fixture.Name}' is not built with {variant}");
        var sources = fixture.Sources.Select(s => Path.Combine(Repository.FixtureSources, s)).ToList();
        var library = fixture.LibrarySources.Select(s => Path.Combine(Repository.FixtureSources, s)).ToList();
        var commands = FixtureCommands.For(fixture, variant, sources, library);
        var key = CacheKey(fixture, variant, commands, sources.Concat(library));
        var dir = Path.Combine(Repository.FixtureCache, $"{fixture.Name}-{variant}-{key}");
        var program = Path.Combine(dir, fixture.Name);
        string? lib = library.Count > 0 ? Path.Combine(dir, $"lib{fixture.Name}.so") : null;
        lock (GateFor(dir))
        {
            if (!File.Exists(Path.Combine(dir, ".complete")))
                Compile(dir, commands, fixture, variant);
        }
        return new FixtureBinary(fixture.Name, variant, program, lib, sources);
    }

    /// <summary>Compiles every (fixture, variant) pair in <paramref name="builds"/>, several at a time, and returns the binaries in order.</summary>
    /// <remarks>Cached builds return at once; the first build of a fresh clone is bounded by the slowest compiler rather
    /// than by the sum of all of them.</remarks>
    public static IReadOnlyList<FixtureBinary> BuildMany(IEnumerable<(FixtureDefinition Fixture, BuildVariant Variant)> builds, int? parallelism = null)
    {
        var list = builds.ToList();
        var results = new FixtureBinary[list.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism ?? Math.Max(2, Environment.ProcessorCount) };
        Parallel.For(0, list.Count, options, i => results[i] = Build(list[i].Fixture, list[i].Variant));
        return results;
    }

    /// <summary>Compiles an ad-hoc C or C++ source text (for tests that need a one-off program) and returns the binary path.</summary>
    public static string CompileSource(string sourceText, string fileName, BuildVariant variant, params string[] extraFlags)
    {
        var key = Hash(sourceText + "\0" + fileName + "\0" + variant + "\0" + string.Join(" ", extraFlags) + "\0" + CompilerIdentity(variant.Compiler));
        var dir = Path.Combine(Repository.FixtureCache, $"adhoc-{Path.GetFileNameWithoutExtension(fileName)}-{variant}-{key}");
        var program = Path.Combine(dir, Path.GetFileNameWithoutExtension(fileName));
        lock (GateFor(dir))
        {
            if (File.Exists(Path.Combine(dir, ".complete"))) return program;
            var tmp = dir + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
            Directory.CreateDirectory(tmp);
            var src = Path.Combine(tmp, fileName);
            File.WriteAllText(src, sourceText);
            var cxx = fileName.EndsWith(".cpp", StringComparison.Ordinal);
            var args = new List<string> { "-g", variant.Optimization, src, "-o", Path.Combine(tmp, Path.GetFileNameWithoutExtension(fileName)) };
            args.AddRange(extraFlags);
            RunCompiler(FixtureCommands.CompilerPath(variant.Compiler, cxx), args, tmp);
            Publish(tmp, dir);
        }
        return program;
    }

    private static void Compile(string dir, IReadOnlyList<CompileCommand> commands, FixtureDefinition fixture, BuildVariant variant)
    {
        var tmp = dir + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(tmp);
        try
        {
            foreach (var c in commands)
                RunCompiler(c.Program, c.Arguments.Select(a => a.Replace("{out}", tmp, StringComparison.Ordinal)), tmp);
        }
        catch (Exception e)
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
            throw new InvalidOperationException($"building fixture '{fixture.Name}' with {variant} failed: {e.Message}", e);
        }
        Publish(tmp, dir);
    }

    private static void RunCompiler(string program, IEnumerable<string> args, string cwd)
    {
        var list = args.ToList();
        var r = Toolchain.Run(program, list, cwd, TimeSpan.FromMinutes(5));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', list)} exited {r.ExitCode}:\n{r.Stderr}{r.Stdout}");
    }

    private static void Publish(string tmp, string dir)
    {
        File.WriteAllText(Path.Combine(tmp, ".complete"), "");
        try
        {
            Directory.Move(tmp, dir);
        }
        catch (IOException) when (File.Exists(Path.Combine(dir, ".complete")))
        {
            // Another test process published the same build first; its copy is identical.
            Directory.Delete(tmp, true);
        }
    }

    private static string CacheKey(FixtureDefinition fixture, BuildVariant variant, IReadOnlyList<CompileCommand> commands, IEnumerable<string> files)
    {
        var sb = new StringBuilder();
        sb.Append(fixture.Name).Append('\0').Append(variant).Append('\0').Append(CompilerIdentity(variant.Compiler)).Append('\0');
        foreach (var c in commands) sb.Append(c.Program).Append(' ').AppendJoin(' ', c.Arguments).Append('\n');
        foreach (var f in files.Concat(Directory.EnumerateFiles(Repository.FixtureSources, "*.h")).Order(StringComparer.Ordinal))
            sb.Append(f).Append('\0').Append(File.ReadAllText(f)).Append('\0');
        return Hash(sb.ToString());
    }

    private static readonly Dictionary<Compiler, string> Identities = [];

    private static string CompilerIdentity(Compiler compiler)
    {
        lock (Identities)
        {
            if (!Identities.TryGetValue(compiler, out var id))
            {
                var r = Toolchain.Run(FixtureCommands.CompilerPath(compiler, false), ["--version"]);
                Identities[compiler] = id = r.Stdout.Split('\n')[0];
            }
            return id;
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
