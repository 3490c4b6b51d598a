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

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    public async Task TrapSiteCatalogOfTheProgramListsEveryCheckOfTransfer(string variant)
    {
        var binary = Fixtures.Build("verbose_trap_multi", Parse(variant));
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "ok");
        var catalog = run.Process.GetTrapSiteCatalog(run.Process.Target.MainProgram!);
        var inTransfer = catalog.Sites.Where(s => s.Function == "transfer").ToList();
        Assert.NotEmpty(inTransfer);
        Assert.All(inTransfer, s => Assert.True(run.Process.Target.MainProgram!.Contains(s.Address)));
        // Unoptimized: one ud2 per check with its message; at -O2 the checks share one ud2 whose origins name them.
        var checks = variant.EndsWith("O0", StringComparison.Ordinal) ? inTransfer.Count : inTransfer.Sum(s => Math.Max(s.MergedCheckCount, 1));
        Assert.True(checks >= 4, $"{checks} checks found in transfer");
    }

    [Fact]
    public async Task MergedTrapEvidenceNamesTheVariableInTheComparedRegister()
    {
        var binary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2);
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "bounds");
        var stop = await run.ContinueToStopAsync();
        var fired = Assert.Single(stop.Diagnosis!.Origins, o => o.Location?.Line == 36);
        // `if (to_slot >= SLOT_COUNT)` compares the parameter to_slot, which DWARF places in rsi at the branch.
        Assert.NotNull(fired.Evidence);
        Assert.Matches(@"\bto_slot \((e|r)si\) = 9\b", fired.Evidence);
    }

    [Theory]
    [InlineData("verbose_trap_multi", "clang22-O2", "state")]
    [InlineData("verbose_trap_multi", "clang22-O0", "funds")]
    [InlineData("assert_fail", "clang22-O0", "100")]
    [InlineData("null_field", "clang22-O0", "mallory")]
    [InlineData("ubsan_trap", "clang22-O0", "mul 65536 65536")]
    public async Task EveryStopCarriesADiagnosisAndALandingFrame(string fixture, string variant, string arguments)
    {
        var binary = Fixtures.Build(fixture, Parse(variant));
        await using var run = await RecordedProcess.LaunchAsync(binary.Program, arguments.Split(' '));
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Exception, stop.Cause);
        Assert.NotNull(stop.Diagnosis);
        Assert.False(string.IsNullOrEmpty(stop.Description));
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        Assert.InRange(stop.SelectedFrameIndex, 0, frames.Count - 1);
        // The landing frame is in the program's own code, where the user can read the failed check.
        Assert.True(frames[stop.SelectedFrameIndex].Module?.IsMainProgram, $"landed in {frames[stop.SelectedFrameIndex]}");
    }
}
