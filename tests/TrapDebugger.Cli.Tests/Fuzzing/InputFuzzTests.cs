using System.Globalization;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>Mutated binaries never crash, hang or print a stack trace through any command: each is read, or rejected with one
/// sentence naming the file and where in it the data is bad.</summary>
/// <remarks>The suite runs a fixed-seed sample. <c>bench/fuzz/run.sh</c> runs the same harness at scale: TRAPDBG_FUZZ_MUTANTS
/// (count), TRAPDBG_FUZZ_SEED, TRAPDBG_FUZZ_FIRST (first mutant number, to reproduce one), TRAPDBG_FUZZ_KEEP (a folder for
/// failing mutants).</remarks>
public sealed class InputFuzzTests(ITestOutputHelper output)
{
    private const int SampleMutants = 1500;
    private const int SampleSeed = 20261206;

    [Fact]
    public void Mutated_binaries_are_read_or_rejected_with_one_sentence()
    {
        int count = Setting("TRAPDBG_FUZZ_MUTANTS", SampleMutants);
        int seed = Setting("TRAPDBG_FUZZ_SEED", SampleSeed);
        int first = Setting("TRAPDBG_FUZZ_FIRST", 0);
        var scratch = Path.Combine(Path.GetTempPath(), $"trapdbg-fuzz-{Environment.ProcessId}");
        try
        {
            var fuzzer = new InputFuzzer(FuzzCorpus.Seeds, seed, scratch) { KeepFailures = Environment.GetEnvironmentVariable("TRAPDBG_FUZZ_KEEP") };
            var report = fuzzer.Run(first, count, Math.Max(1, Environment.ProcessorCount));
            output.WriteLine(report.ToString());
            foreach (var f in report.Failures.Take(40)) output.WriteLine(f);
            Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} failures; first: {report.Failures.FirstOrDefault()}");
            // Most mutants must reach past the ELF header, or the sample tests nothing but the header check.
            Assert.True(report.Clean > count / 10, $"only {report.Clean} of {count} mutants were read cleanly");
            Assert.True(report.Runs > 0, "no mutant was run under the debugger");
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    private static int Setting(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
