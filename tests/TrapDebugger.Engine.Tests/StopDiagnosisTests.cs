using TrapDebugger.Engine.Events;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Runs trapping fixtures under the engine and checks the stop it reports: cause, diagnosis, and the stack.</summary>
public sealed class StopDiagnosisTests
{
    public static TheoryData<string, string> Variants() => new()
    {
        { "verbose_trap", "clang22-O0" },
        { "verbose_trap", "clang22-O2" },
    };

    private static BuildVariant Parse(string v) => v switch
    {
        "clang22-O0" => BuildVariant.Clang22O0,
        "clang22-O2" => BuildVariant.Clang22O2,
        "clang19-O0" => BuildVariant.Clang19O0,
        "clang19-O2" => BuildVariant.Clang19O2,
        "gcc-O0" => BuildVariant.GccO0,
        "gcc-O2" => BuildVariant.GccO2,
        _ => throw new ArgumentException(v),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task VerboseTrapStopsWithItsMessage(string fixture, string variant)
    {
        var binary = Fixtures.Build(fixture, Parse(variant));
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "5");
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Exception, stop.Cause);
        Assert.NotNull(stop.Diagnosis);
        Assert.Equal("Bounds check", stop.Diagnosis!.Category);
        Assert.Equal("index out of range", stop.Diagnosis.Message);
        var (frames, total) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        Assert.True(total >= 3, $"expected at least 3 frames, got {total}");
        Assert.Contains(frames, f => f.Name == "get" || f.Name.StartsWith("get(", StringComparison.Ordinal));
        Assert.Contains(frames, f => f.Name == "main");
    }
}
