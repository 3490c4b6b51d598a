using System.Text.Json;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg core</c> on real cores of the kernel and of gdb gives the report <c>trapdbg run</c> gives for the same
/// crash: the same message, landing line, ranked origins and backtrace; <c>run --core-dir</c> writes a core that does too; a
/// file that is not a readable core gets one sentence.</summary>
public sealed class CoreReportTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => [.. CoreCatalog.Ids];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CoreGivesTheReportOfTheLiveRun(string id)
    {
        var crash = CoreCatalog.Cases.Single(c => c.Id == id);
        var dump = CoreCatalog.Produce(id);
        var core = await CliRun.CoreAsync(true, dump.Path, dump.Binary.Program);
        var live = await CliRun.RunAsync(true, dump.Binary.Program, [.. crash.Arguments]);
        output.WriteLine(core.Error);
        var ours = core.Json;
        var theirs = live.Json;
        Assert.Equal(Path.GetFullPath(dump.Path), ours.Str("core"));
        var stop = ours.GetProperty("stop");
        var liveStop = theirs.GetProperty("stop");
        if (liveStop.Int("signal") is null or 0)
        {
            // The live run stopped at a language event (a Rust panic's entry), which no core holds: the core's abort is
            // diagnosed as the same panic, landing on the same line.
            Assert.Equal(liveStop.Str("kind"), stop.Str("kind"));
            AssertSameLanding(liveStop, stop, sameFrame: false);
            return;
        }
        Assert.Equal(live.Status, core.Status);
        foreach (var field in new[] { "kind", "signalName", "category", "message", "messageSource", "confidence", "function" })
            Assert.True(liveStop.Str(field) == stop.Str(field), $"{field}: live '{liveStop.Str(field)}', core '{stop.Str(field)}'");
        Assert.Equal(liveStop.Int("checkCount"), stop.Int("checkCount"));
        AssertSameLanding(liveStop, stop);
        var liveOrigins = liveStop.Items("origins").Select(Origin).ToList();
        Assert.Equal(liveOrigins, stop.Items("origins").Select(Origin).ToList());
        Assert.Equal(Frames(theirs), Frames(ours));
        Assert.Equal(theirs.Items("otherThreads").Count(), ours.Items("otherThreads").Count());
        var end = ours.GetProperty("end");
        Assert.Equal("dumped", end.Str("how"));
        Assert.Equal(liveStop.Int("signal"), end.Int("signal"));
    }

    [Fact]
    public async Task TextReportOfACoreIsTheRunReportEndingWithTheDeath()
    {
        var dump = CoreCatalog.Produce(CoreCatalog.Ids.First(i => i.StartsWith("verbose_trap_multi clang22-O2", StringComparison.Ordinal)));
        var result = await CliRun.CoreAsync(false, dump.Path);
        Assert.Equal(128 + 4, result.Status);
        Assert.Equal("", result.Error);
        Assert.DoesNotContain("\u001b[", result.Output, StringComparison.Ordinal);
        Assert.Contains("Invariant: insufficient funds", result.Output, StringComparison.Ordinal);
        Assert.Contains("Checks that reach the trap (5, most likely first)", result.Output, StringComparison.Ordinal);
        Assert.Contains($"died of SIGILL (core file {Path.GetFullPath(dump.Path)}); exit status 132", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("threads32", "trap")]
    [InlineData("shlib_trap", "2 3")]
    public async Task RunWithCoreDirectoryWritesACoreThatReportsTheSameStop(string fixture, string input)
    {
        var binary = Fixtures.Build(fixture, BuildVariant.Clang22O2);
        var folder = Directory.CreateTempSubdirectory("trapdbg-core-dir-").FullName;
        try
        {
            var directory = Path.Combine(folder, "cores");
            var live = await CliRun.RunWithCoreDirectoryAsync(true, directory, binary.Program, input.Split(' '));
            var written = live.Json.Str("core");
            Assert.NotNull(written);
            Assert.Equal(directory, Path.GetDirectoryName(written));
            Assert.Matches($@"^core\.{fixture}\.\d+$", Path.GetFileName(written));
            Assert.Contains($"trapdbg: wrote the core {written} (", live.Error, StringComparison.Ordinal);
            // The text report names the core it wrote in its last line.
            var text = await CliRun.RunWithCoreDirectoryAsync(false, directory, binary.Program, input.Split(' '));
            Assert.Matches($@"; core written to {System.Text.RegularExpressions.Regex.Escape(directory)}/core\.{fixture}\.\d+; exit status 132$", text.Output.TrimEnd());
            var core = await CliRun.CoreAsync(true, written!);
            var stop = core.Json.GetProperty("stop");
            var liveStop = live.Json.GetProperty("stop");
            Assert.Equal(live.Status, core.Status);
            Assert.Equal(liveStop.Str("message"), stop.Str("message"));
            Assert.Equal(liveStop.Str("reason"), stop.Str("reason"));
            AssertSameLanding(liveStop, stop);
            Assert.Equal(liveStop.Items("origins").Select(Origin).ToList(), stop.Items("origins").Select(Origin).ToList());
            Assert.Equal(Frames(live.Json), Frames(core.Json));
            Assert.Equal(live.Json.Items("otherThreads").Select(t => t.Int("id")), core.Json.Items("otherThreads").Select(t => t.Int("id")));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task CoreDirectoryThatIsAFileIsRefusedBeforeTheProgramRuns()
    {
        var binary = Fixtures.Build("threads32", BuildVariant.Clang22O2);
        var file = Path.GetTempFileName();
        try
        {
            var result = await CliRun.RunWithCoreDirectoryAsync(false, file, binary.Program, "trap");
            Assert.Equal(1, result.Status);
            Assert.Equal($"trapdbg run: the core directory '{file}' is a file, not a directory.", result.Error.TrimEnd());
            Assert.Equal("", result.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static TheoryData<string> Unreadable => ["empty", "truncated headers", "truncated notes", "not a core", "garbage", "directory", "missing"];

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task AnUnreadableCoreGetsOneSentence(string kind)
    {
        var dump = CoreCatalog.Produce(CoreCatalog.Ids.First(i => i.StartsWith("threads32 clang22-O2", StringComparison.Ordinal)));
        var folder = Directory.CreateTempSubdirectory("trapdbg-bad-core-").FullName;
        try
        {
            var path = Path.Combine(folder, "core");
            var bytes = File.ReadAllBytes(dump.Path);
            switch (kind)
            {
                case "empty": File.WriteAllBytes(path, []); break;
                case "truncated headers": File.WriteAllBytes(path, bytes[..100]); break;
                case "truncated notes": File.WriteAllBytes(path, bytes[..6000]); break;
                case "not a core": File.Copy(dump.Binary.Program, path); break;
                case "garbage": File.WriteAllBytes(path, [.. Enumerable.Range(0, 9000).Select(i => (byte)(i * 7))]); break;
                case "directory": Directory.CreateDirectory(path); break;
                case "missing": break;
            }
            var result = await CliRun.CoreAsync(true, path);
            output.WriteLine(result.Error);
            Assert.Equal(1, result.Status);
            Assert.Equal("", result.Output);
            var line = Assert.Single(result.Error.TrimEnd().Split('\n'));
            Assert.StartsWith("trapdbg core: ", line, StringComparison.Ordinal);
            Assert.EndsWith(".", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
            Assert.Contains(path, line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    // sameFrame: the stops are at the same instruction, so the landing is the same frame of the same backtrace.
    private static void AssertSameLanding(JsonElement live, JsonElement core, bool sameFrame = true)
    {
        var a = live.GetProperty("landing");
        var b = core.GetProperty("landing");
        Assert.Equal((a.Str("function"), a.Str("file"), a.Int("line"), a.Int("column")), (b.Str("function"), b.Str("file"), b.Int("line"), b.Int("column")));
        if (sameFrame) Assert.Equal(a.Int("frameIndex"), b.Int("frameIndex"));
    }

    // What ranks an origin: its place, its check and whether the registers at the stop satisfy it (evidence text carries
    // run-time addresses, which differ between two runs).
    private static string Origin(JsonElement o)
    {
        var at = o.TryGetProperty("location", out var l) ? $"{l.Str("file")}:{l.Int("line")}:{l.Int("column")}" : "?";
        return $"#{o.Int("rank")} {at} {o.Str("category")}: {o.Str("message")} [{o.Str("condition")}] {o.Str("inlinedFrom")}";
    }

    private static List<string> Frames(JsonElement report) =>
        [.. report.GetProperty("thread").Items("frames").Select(f =>
            $"{f.Str("function")} {(f.TryGetProperty("location", out var l) ? $"{l.Str("file")}:{l.Int("line")}" : f.Str("module"))}")];
}
