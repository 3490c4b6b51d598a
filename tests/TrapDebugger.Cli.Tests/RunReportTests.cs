using System.Text.Json;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg run --json</c> on the verbose-trap fixtures, one run per check, with Clang 22 and 19 at -O0 and -O2:
/// the stop reason and the first-ranked check are the check the input triggers, and the report lands on its source line.</summary>
public sealed class RunReportTests
{
    private const int SIGILL = 4;

    /// <summary>The input that triggers each check, and that check's category and message (as written in the fixture's source).</summary>
    private static readonly (string Fixture, string Input, string Category, string Message)[] Checks =
    [
        ("verbose_trap", "5", "Bounds check", "index out of range"),
        ("verbose_trap_multi", "null", "Null check", "source account is NULL"),
        ("verbose_trap_multi", "bounds", "Bounds check", "destination slot out of range"),
        ("verbose_trap_multi", "state", "State check", "source account is not open"),
        ("verbose_trap_multi", "amount", "Invariant", "amount must be positive"),
        ("verbose_trap_multi", "funds", "Invariant", "insufficient funds"),
        ("shlib_trap", "2 3", "Queue check", "pop from an empty queue"),
        ("shlib_trap", "40 0", "Queue check", "queue is full"),
        ("threads32", "trap", "Integrity check", "block checksum mismatch"),
        ("threads32", "trap 3", "Integrity check", "block checksum mismatch"),
        ("cxx_program", "5 trap", "Inventory check", "slot does not exist"),
    ];

    private static readonly BuildVariant[] Variants = [BuildVariant.Clang22O0, BuildVariant.Clang22O2, BuildVariant.Clang19O0, BuildVariant.Clang19O2];

    public static TheoryData<string, string, string, string, string> VerboseTrapRuns()
    {
        var data = new TheoryData<string, string, string, string, string>();
        foreach (var (fixture, input, category, message) in Checks)
        {
            foreach (var v in Variants) data.Add(fixture, v.ToString(), input, category, message);
        }
        return data;
    }

    internal static BuildVariant Variant(string name) => Variants.Concat([BuildVariant.GccO0, BuildVariant.GccO2]).Single(v => v.ToString() == name);

    [Theory]
    [MemberData(nameof(VerboseTrapRuns))]
    public async Task ReportsTheCheckThatFired(string fixture, string variant, string input, string category, string message)
    {
        var binary = Fixtures.Build(fixture, Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, input.Split(' '));
        Assert.True(result.Status == 128 + SIGILL, $"status {result.Status}; stderr: {result.Error}");
        var report = result.Json;
        var stop = report.GetProperty("stop");
        Assert.Equal(SIGILL, stop.Int("signal"));
        Assert.Equal(category, stop.Str("category"));
        Assert.Equal(message, stop.Str("message"));
        Assert.StartsWith($"{category}: {message}", stop.Str("reason"), StringComparison.Ordinal);

        // The fired check is ranked first, and for a merged trap the reason says which of the merged checks it is.
        var origins = stop.Items("origins").ToList();
        Assert.NotEmpty(origins);
        Assert.Equal(1, origins[0].Int("rank"));
        Assert.Equal(message, origins[0].Str("message"));
        Assert.Equal(category, origins[0].Str("category"));
        if (stop.Str("kind") == "merged-trap")
        {
            Assert.True(origins.Select(o => o.Str("message")).Distinct().Count() > 1, "a merged trap lists the other checks too");
            Assert.Contains($"1 of {origins.Count} merged checks", stop.Str("reason"), StringComparison.Ordinal);
        }

        // The landing line is the check's statement in the fixture source, and the snippet highlights it.
        var sources = binary.SharedLibrary is null ? binary.Sources
            : [.. binary.Sources, .. Fixtures.Get(fixture).LibrarySources.Select(s => Path.Combine(Repository.FixtureSources, s))];
        var (file, first, last) = FixtureSource.VerboseTrapStatement(sources, category, message);
        var landing = stop.GetProperty("landing");
        Assert.Equal(Path.GetFullPath(file), Path.GetFullPath(landing.Str("file")!));
        var line = landing.Int("line")!.Value;
        Assert.True(line >= first && line <= last, $"landing line {line}, expected {first}..{last} ({Path.GetFileName(file)})");
        var snippet = report.GetProperty("source");
        Assert.Equal(line, snippet.Int("line"));
        var lines = snippet.Items("lines").Select(l => l.GetString()!).ToList();
        Assert.Equal(File.ReadAllLines(file)[line - 1], lines[line - snippet.Int("firstLine")!.Value]);

        // The backtrace lands on the frame of that line, and a trap-message frame is a label, not a function.
        var frames = report.GetProperty("thread").Items("frames").ToList();
        var landed = Assert.Single(frames, f => f.GetProperty("landing").GetBoolean());
        Assert.Equal(landing.Int("frameIndex"), landed.Int("index"));
        Assert.Contains(frames, f => f.Str("function") == "main" || f.Str("function")!.StartsWith("start_thread", StringComparison.Ordinal));
        foreach (var f in frames.Where(f => f.Str("function")!.StartsWith("__clang_trap_msg$", StringComparison.Ordinal)))
        {
            Assert.True(f.GetProperty("artificial").GetBoolean());
            Assert.Equal($"verbose trap: {category}: {message}", f.Str("label"));
        }

        // A worker thread traps while the others are alive: each of them is summarised.
        if (fixture == "threads32")
        {
            Assert.NotEqual(report.Int("processId"), report.GetProperty("thread").Int("id"));
            Assert.True(report.Items("otherThreads").Count() >= 31, "the main thread and the other workers are listed");
        }

        var end = report.GetProperty("end");
        Assert.Equal("killed", end.Str("how"));
        Assert.Equal(SIGILL, end.Int("signal"));
    }

    [Theory]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O2")]
    public async Task MergedTrapIsReportedAsOneOfSeveralChecks(string variant)
    {
        var binary = Fixtures.Build("verbose_trap_multi", Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, "bounds");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("merged-trap", stop.Str("kind"));
        Assert.Equal(0, stop.GetProperty("instructionLocation").Int("line"));
        var origins = stop.Items("origins").ToList();
        var messages = Checks.Where(c => c.Fixture == "verbose_trap_multi").Select(c => c.Message).ToHashSet();
        Assert.Subset(messages, origins.Select(o => o.Str("message")!).ToHashSet());
        Assert.Equal(origins.Count, stop.Int("checkCount"));
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    public async Task TextReportShowsReasonSourceAndBacktraceWithoutColourWhenPiped(string variant)
    {
        var binary = Fixtures.Build("verbose_trap_multi", Variant(variant));
        var result = await CliRun.RunAsync(false, binary.Program, "bounds");
        Assert.Equal(128 + SIGILL, result.Status);
        var text = result.Output;
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal);
        Assert.Contains("Bounds check: destination slot out of range", text, StringComparison.Ordinal);
        var (file, first, last) = FixtureSource.VerboseTrapStatement(binary.Sources, "Bounds check", "destination slot out of range");
        var highlighted = text.Split('\n').Single(l => l.StartsWith("->", StringComparison.Ordinal));
        var number = int.Parse(highlighted[2..highlighted.IndexOf('|', StringComparison.Ordinal)].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(number, first, last);
        Assert.Contains(File.ReadAllLines(file)[number - 1].Trim(), highlighted, StringComparison.Ordinal);
        Assert.Contains("Backtrace", text, StringComparison.Ordinal);
        Assert.Matches(@" main\(argc=2, argv=0x[0-9a-f]+\) at ", text);
        Assert.Contains("it would have died of SIGILL", text, StringComparison.Ordinal);
        Assert.DoesNotContain("__clang_trap_msg", text.Split("Backtrace")[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgramThatExitsGivesItsStatusAndNoStop()
    {
        var binary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2);
        var result = await CliRun.RunAsync(true, binary.Program, "ok");
        Assert.Equal(0, result.Status);
        var report = result.Json;
        Assert.False(report.TryGetProperty("stop", out _));
        Assert.Equal("exited", report.GetProperty("end").Str("how"));
        // With --json the program's own output goes to stderr, so stdout is nothing but the document.
        Assert.Contains("slot 1 balance", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitStatusOfAProgramIsPassedOn()
    {
        var program = Fixtures.CompileSource("int main(int argc, char **argv) { return argc + 40; }\n", "exit_status.c", BuildVariant.Clang22O0);
        var result = await CliRun.RunAsync(false, program, "a", "b");
        Assert.Equal(43, result.Status);
        Assert.Contains("exited with status 43", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalsTheProgramHandlesArePassedThrough()
    {
        const string source = """
            #include <signal.h>
            #include <unistd.h>
            static volatile sig_atomic_t seen;
            static void on_usr1(int s) { (void)s; seen++; }
            int main(void) {
                signal(SIGUSR1, on_usr1);
                raise(SIGUSR1);
                raise(SIGUSR1);
                return seen == 2 ? 7 : 1;
            }
            """;
        var program = Fixtures.CompileSource(source, "handled_signal.c", BuildVariant.Clang22O0);
        var result = await CliRun.RunAsync(true, program);
        Assert.Equal(7, result.Status);
    }

    [Fact]
    public async Task ASignalTheProgramWouldDieOfIsReported()
    {
        const string source = """
            #include <signal.h>
            int main(void) { raise(SIGTERM); return 0; }
            """;
        var program = Fixtures.CompileSource(source, "dies_of_sigterm.c", BuildVariant.Clang22O0);
        var result = await CliRun.RunAsync(true, program);
        Assert.Equal(128 + 15, result.Status);
        Assert.Equal(15, result.Json.GetProperty("stop").Int("signal"));
    }

    [Fact]
    public async Task InterruptStopsReportsAndKillsTheProgram()
    {
        const string source = """
            #include <unistd.h>
            __attribute__((noinline)) static void wait_forever(void) { for (;;) sleep(1); }
            int main(void) { wait_forever(); }
            """;
        var program = Fixtures.CompileSource(source, "waits_forever.c", BuildVariant.Clang22O0);
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var result = await CliRun.RunUntilAsync(true, program, [], interrupt.Token);
        Assert.True(result.Status == 128 + 2, $"status {result.Status}: {result.Error}");
        var report = result.Json;
        Assert.Equal("pause", report.GetProperty("stop").Str("kind"));
        Assert.Contains(report.GetProperty("thread").Items("frames"), f => f.Str("function") == "wait_forever");
        Assert.Equal("killed", report.GetProperty("end").Str("how"));
    }

    [Fact]
    public async Task MissingProgramIsOneSentenceOnStderr()
    {
        var result = await CliRun.RunAsync(false, "/nonexistent/program");
        Assert.Equal(127, result.Status);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("trapdbg run: ", line, StringComparison.Ordinal);
        Assert.Contains("does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonElfProgramIsRefusedWithOneSentence()
    {
        var script = Path.Combine(Path.GetTempPath(), $"trapdbg-script-{Environment.ProcessId}.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nexit 0\n", TestContext.Current.CancellationToken);
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var result = await CliRun.RunAsync(false, script);
            Assert.Equal(126, result.Status);
            var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
            Assert.Contains("not an ELF executable", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
