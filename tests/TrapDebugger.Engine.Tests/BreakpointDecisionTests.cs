using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Conditions, hit counts and log messages are decided where the target sees the hit (a live process: on its
/// tracer thread, from the registers of the thread that hit, while the other threads run), and what they decide is what
/// the user asked: the right hits stop, every hit counts, every logpoint hit prints, each on the right thread.</summary>
public sealed class BreakpointDecisionTests
{
    private const string Source = """
        #include <pthread.h>
        #include <stdio.h>
        volatile long total;
        __attribute__((noinline)) void accumulate(long i, double ratio) {
            total += i + (long)ratio; // step line
        }
        static void *worker(void *arg) {
            long base = (long)arg;
            for (long i = 0; i < 100; i++) accumulate(base + i, 0.5 * (double)i);
            return 0;
        }
        int main(void) {
            pthread_t t[4];
            for (long k = 0; k < 4; k++) pthread_create(&t[k], 0, worker, (void *)(k * 1000));
            for (int k = 0; k < 4; k++) pthread_join(t[k], 0);
            printf("total %ld\n", total);
            return 0;
        }
        """;

    private static int StepLine => Source.Split('\n').ToList().FindIndex(l => l.Contains("// step line", StringComparison.Ordinal)) + 1;

    private static string Build(string variant) => Fixtures.CompileSource(Source, "decisions.c", LldbAgreementTests.Variant(variant), "-pthread");

    public static TheoryData<string> Variants() => new() { "clang22-O0", "gcc-O0", "clang22-O2" };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task A_condition_stops_only_where_it_holds_on_the_thread_that_hit(string variant)
    {
        await using var run = await RecordedProcess.LaunchAsync(Build(variant));
        // i and ratio are the arguments: in memory at -O0, in rdi and xmm0 at -O2 (the decision reads the thread's vector
        // registers while the other threads run).
        var set = await run.Process.SetSourceBreakpointsAsync("decisions.c", [new SourceBreakpointSpec(StepLine, Condition: "i == 2042 && ratio > 20.5")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("2042", (await run.Process.EvaluateAsync("i", frames[0].Id)).Value);
        Assert.Equal("21", (await run.Process.EvaluateAsync("ratio", frames[0].Id)).Value);
        Assert.Equal(1, set[0].HitCount);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
        Assert.Equal(1, set[0].HitCount);
    }

    [Fact]
    public async Task A_hit_count_counts_every_hit_of_every_thread_and_stops_at_the_one_asked_for()
    {
        await using var run = await RecordedProcess.LaunchAsync(Build("clang22-O0"));
        var set = await run.Process.SetSourceBreakpointsAsync("decisions.c", [new SourceBreakpointSpec(StepLine, HitCondition: "350")]);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        // The other three threads may each have hit it too while everything stopped: those hits count (and pass) once.
        Assert.InRange(set[0].HitCount, 350, 353);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
        Assert.Equal(400, set[0].HitCount);
    }

    [Fact]
    public async Task A_logpoint_prints_every_hit_with_its_own_values_and_never_stops()
    {
        await using var run = await RecordedProcess.LaunchAsync(Build("clang22-O0"));
        await run.Process.SetSourceBreakpointsAsync("decisions.c", [new SourceBreakpointSpec(StepLine, LogMessage: "i={i} ratio={ratio} bad={no_such_name}")]);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
        List<string> lines;
        lock (run.Output) lines = run.Output.SelectMany(o => o.Split('\n')).Where(l => l.StartsWith("i=", StringComparison.Ordinal)).ToList();
        Assert.Equal(400, lines.Count);
        var expected = Enumerable.Range(0, 4).SelectMany(k => Enumerable.Range(0, 100).Select(i => $"i={k * 1000 + i} ratio={0.5 * i}"));
        Assert.Equal(expected.Order(), lines.Select(l => l[..l.IndexOf(" bad=", StringComparison.Ordinal)]).Order());
        Assert.All(lines, l => Assert.EndsWith("bad=<no variable named 'no_such_name' in scope>", l));
    }

    [Fact]
    public async Task A_condition_that_cannot_be_evaluated_stops_and_says_why()
    {
        await using var run = await RecordedProcess.LaunchAsync(Build("clang22-O0"));
        var set = await run.Process.SetSourceBreakpointsAsync("decisions.c", [new SourceBreakpointSpec(StepLine, Condition: "missing > 3")]);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        lock (run.Output) Assert.Contains(run.Output, o => o.Contains($"breakpoint {set[0].Id}: condition 'missing > 3' could not be evaluated", StringComparison.Ordinal));
        await run.Process.TerminateAsync();
    }

    [Fact]
    public async Task Two_breakpoints_at_one_address_each_decide_and_the_stop_names_those_that_hold()
    {
        await using var run = await RecordedProcess.LaunchAsync(Build("clang22-O0"));
        var line = await run.Process.SetSourceBreakpointsAsync("decisions.c", [new SourceBreakpointSpec(StepLine, Condition: "i == 3050")]);
        var function = await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("accumulate", Condition: "i == 1007")]);
        Assert.Equal(line[0].Locations.Single().Address, function[0].Locations.Single().Address);
        var stops = new List<IReadOnlyList<int>>();
        for (var n = 0; n < 2; n++)
        {
            var stop = await run.ContinueToStopAsync();
            stops.Add(stop.HitBreakpointIds);
        }
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
        // Both stop somewhere; each stop names only the breakpoint whose condition held (the two threads race, so either
        // order).
        Assert.Equal(new[] { line[0].Id, function[0].Id }.Order(), stops.Select(s => Assert.Single(s)).Order());
    }
}
