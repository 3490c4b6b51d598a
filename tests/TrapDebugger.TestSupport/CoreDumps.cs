using System.Security.Cryptography;
using System.Text;

namespace TrapDebugger.TestSupport;

/// <summary>Who wrote a core: the kernel when the program died, or gdb's generate-core-file at the stop.</summary>
public enum CoreProducer { Kernel, Gdb }

/// <summary>A real core of a fixture run: the program, its arguments, who wrote it and where it is.</summary>
public sealed record CoreDump(FixtureBinary Binary, IReadOnlyList<string> Arguments, CoreProducer Producer, string Path)
{
    /// <inheritdoc />
    public override string ToString() => $"{Binary.Name} {Binary.Variant} [{string.Join(' ', Arguments)}] {Producer}";
}

/// <summary>Produces real core files of fixture runs at test time, cached like the fixtures themselves.</summary>
/// <remarks>Kernel cores: the fixture runs with <c>ulimit -c unlimited</c> in a temporary folder of its own, where the
/// kernel writes <c>core</c> or <c>core.PID</c> (this machine's core_pattern is a relative name, which tests never
/// change). gdb cores: gdb runs the fixture to its stop and saves it with <c>generate-core-file</c>. The cache key
/// includes the binary, the arguments and the system libraries the core's process mapped, so an upgraded libc makes
/// a fresh core.</remarks>
public static class CoreDumps
{
    private static readonly string[] SystemLibraries = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"];

    /// <summary>Runs <paramref name="binary"/> with <paramref name="arguments"/> until it crashes and returns its core from <paramref name="producer"/> (cached).</summary>
    public static CoreDump Produce(FixtureBinary binary, IReadOnlyList<string> arguments, CoreProducer producer)
    {
        var key = Key(binary, arguments, producer);
        var dir = Path.Combine(Repository.FixtureCache, "cores", $"{binary.Name}-{binary.Variant}-{producer.ToString().ToLowerInvariant()}-{key}");
        var core = Path.Combine(dir, "core");
        // Test projects run in parallel processes and share the cache: one of them writes each core.
        using (CacheLock.Acquire(dir))
        {
            if (!File.Exists(Path.Combine(dir, ".complete")))
                Write(binary, arguments, producer, dir);
        }
        return new CoreDump(binary, arguments, producer, core);
    }

    private static void Write(FixtureBinary binary, IReadOnlyList<string> arguments, CoreProducer producer, string dir)
    {
        var tmp = dir + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(tmp);
        try
        {
            var core = Path.Combine(tmp, "core");
            if (producer == CoreProducer.Kernel)
                RunUntilKernelCore(binary.Program, arguments, tmp, core);
            else
                RunUnderGdb(binary.Program, arguments, tmp, core);
            File.WriteAllText(Path.Combine(tmp, ".complete"), "");
            Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
            try
            {
                Directory.Move(tmp, dir);
            }
            catch (IOException) when (File.Exists(Path.Combine(dir, ".complete")))
            {
                Directory.Delete(tmp, true);
            }
        }
        catch
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="directory"/> until it dies and returns the core the kernel
    /// wrote there (not cached: for a program a test placed and will move or replace).</summary>
    public static string WriteKernelCore(string program, IReadOnlyList<string> arguments, string directory)
    {
        var core = Path.Combine(directory, "core");
        RunUntilKernelCore(program, arguments, directory, core);
        return core;
    }

    /// <summary>Runs <paramref name="program"/> under gdb, which first runs <paramref name="gdbCommands"/> (a catchpoint, a
    /// breakpoint), and returns the core gdb saves into <paramref name="directory"/> at the first stop (not cached).</summary>
    public static string WriteGdbCore(string program, IReadOnlyList<string> arguments, string directory, params string[] gdbCommands)
    {
        var core = Path.Combine(directory, "core");
        var r = Toolchain.Run(Toolchain.Gdb,
            ["-batch", "-nx", "-iex", "set debuginfod enabled off", .. gdbCommands.SelectMany(c => new[] { "-ex", c }), "-ex", "run", "-ex",
                $"generate-core-file {core}", "-ex", "kill", "--args", program, .. arguments],
            directory, TimeSpan.FromMinutes(2));
        if (!File.Exists(core))
            throw new InvalidOperationException($"gdb did not save a core of {program} {string.Join(' ', arguments)}:\n{r.Stdout}{r.Stderr}");
        return core;
    }

    private static void RunUntilKernelCore(string program, IReadOnlyList<string> arguments, string cwd, string core)
    {
        var script = "ulimit -c unlimited 2>/dev/null || echo \"hard core limit $(ulimit -Hc)\"; \"$0\" \"$@\" >/dev/null 2>&1; echo status $?";
        var r = Toolchain.Run("/bin/sh", ["-c", script, program, .. arguments], cwd, TimeSpan.FromMinutes(2));
        var written = Directory.EnumerateFiles(cwd, "core*").FirstOrDefault();
        if (written == null)
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} ended ({r.Stdout.Trim().ReplaceLineEndings("; ")}) and the kernel wrote no core in {cwd} " +
                $"(core_pattern is '{File.ReadAllText("/proc/sys/kernel/core_pattern").Trim()}'; a relative pattern such as 'core' is needed).");
        if (written != core)
            File.Move(written, core);
    }

    private static void RunUnderGdb(string program, IReadOnlyList<string> arguments, string cwd, string core)
    {
        var r = Toolchain.Run(Toolchain.Gdb,
            ["-batch", "-nx", "-iex", "set debuginfod enabled off", "-ex", "run", "-ex", $"generate-core-file {core}", "--args", program, .. arguments],
            cwd, TimeSpan.FromMinutes(2));
        if (!File.Exists(core))
            throw new InvalidOperationException($"gdb did not save a core of {program} {string.Join(' ', arguments)}:\n{r.Stdout}{r.Stderr}");
    }

    private static string Key(FixtureBinary binary, IReadOnlyList<string> arguments, CoreProducer producer)
    {
        var sb = new StringBuilder();
        sb.Append(binary.Program).Append('\0').AppendJoin('\0', arguments).Append('\0').Append(producer).Append('\0');
        foreach (var file in new[] { binary.Program, binary.SharedLibrary }.OfType<string>().Concat(SystemLibraries))
        {
            var info = new FileInfo(file);
            sb.Append(file).Append(info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "-").Append('\0');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }
}
