using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Native;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>Data breakpoints on a real program: writes to a global and a local, a read/write watch, the limit of four
/// debug registers, memory no debug register can watch, a thread created after the watch was set, and a detach that
/// leaves no debug register armed.</summary>
public sealed class DataBreakpointTests
{
    private const string Source = """
        #include <pthread.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>

        int counter = 41;
        long g1, g2, g3, g4, g5;
        char buffer[40];
        struct __attribute__((packed)) packed { char c; int x; } pk;
        struct bits { unsigned flag : 1; unsigned rest : 7; } bf;

        __attribute__((noinline)) void checkpoint(int phase) { __asm__ volatile("" ::: "memory"); (void)phase; }

        static void *worker(void *arg) { counter = 100; return arg; }

        int main(int argc, char **argv) {
            const char *mode = argc > 1 ? argv[1] : "";
            volatile int local = 1;
            int observed = 0;
            checkpoint(1);
            if (strcmp(mode, "thread") == 0) {
                pthread_t t;
                pthread_create(&t, 0, worker, 0);
                pthread_join(t, 0);
            } else if (strcmp(mode, "detach") == 0) {
                for (int i = 0; i < 1000; i++) counter++;
                FILE *f = fopen(argv[2], "w");
                fprintf(f, "%d\n", counter);
                fclose(f);
                for (int i = 0; i < 600; i++) usleep(50000);
            } else {
                local = 2;
                observed = counter;
                counter = 42;
                counter = 42;
            }
            printf("%d %d %d\n", local, observed, counter);
            return 0;
        }
        """;

    private static string Program => Fixtures.CompileSource(Source, "watched.c", BuildVariant.Clang22O0, "-pthread");

    /// <summary>Launches the program and runs it to checkpoint(1), where main has set up its locals.</summary>
    private static async Task<(RecordedProcess Run, int MainFrameId)> AtCheckpointAsync(params string[] args)
    {
        var run = await RecordedProcess.LaunchAsync(Program, args);
        await run.Process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("checkpoint")]);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.FunctionBreakpoint, stop.Cause);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        await run.Process.SetFunctionBreakpointsAsync([]);
        return (run, frames.First(f => f.Name == "main").Id);
    }

    [Fact]
    public async Task WriteWatchesOnALocalAndAGlobalReportOldAndNewValues()
    {
        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var scopes = await run.Process.GetScopesAsync(main);
        var local = run.Process.ResolveDataTarget(scopes.Single(s => s.Name == "Locals").VariablesReference, "local");
        var counter = await run.Process.ResolveDataTargetAsync("counter", main);
        Assert.Equal(4, local.Size);
        Assert.Equal(4, counter.Size);
        // The address the engine watches is the one the expression evaluator gives for &name.
        Assert.Equal(Convert.ToUInt64((await run.Process.EvaluateAsync("&counter", main)).Value.Split(' ')[0], 16), counter.Address);
        Assert.Equal(Convert.ToUInt64((await run.Process.EvaluateAsync("&local", main)).Value.Split(' ')[0], 16), local.Address);

        var set = await run.Process.SetDataBreakpointsAsync([new(local, DataAccess.Write), new(counter, DataAccess.Write)]);
        Assert.All(set, b => Assert.True(b.IsVerified, b.Message));

        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.DataBreakpoint, stop.Cause);
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        Assert.Equal("local changed from 1 to 2", stop.Description);
        Assert.Equal(("1", "2"), (set[0].OldValue, set[0].NewValue));
        // x86 reports a write after it happened: memory already holds the new value.
        Assert.Equal("2", (await run.Process.EvaluateAsync("local", null)).Value);

        stop = await run.ContinueToStopAsync();
        Assert.Equal([set[1].Id], stop.HitBreakpointIds);
        Assert.Equal("counter changed from 41 to 42", stop.Description);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("main", frames[0].Name);

        // Storing the value already there is still a write.
        stop = await run.ContinueToStopAsync();
        Assert.Equal([set[1].Id], stop.HitBreakpointIds);
        Assert.Equal("counter was written: still 42", stop.Description);
        Assert.Equal(3, set.Sum(b => b.HitCount));

        // The watch on `local` outlives main's frame (the hardware knows addresses, not scopes), and exit code reuses
        // that stack slot: remove the watches before letting the program finish.
        await run.Process.SetDataBreakpointsAsync([]);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    [Fact]
    public async Task WriteStopsAgreeWithLldbOnOrderValuesAndProgramCounter()
    {
        // lldb-22 with `watchpoint set variable -w write` (every store, as DAP's write access) on the same program.
        var lldb = Toolchain.Run(Toolchain.Lldb,
        [
            "-b", "-o", "breakpoint set -n checkpoint", "-o", "process launch", "-o", "frame select 1",
            "-o", "watchpoint set variable -w write local", "-o", "watchpoint set variable -w write counter",
            "-o", "continue", "-o", "continue", "-o", "continue", "-o", "process kill", Program,
        ], timeout: TimeSpan.FromMinutes(2)).Stdout;
        var lldbCounter = ulong.Parse(Regex.Match(lldb, @"Watchpoint 2: addr = 0x([0-9a-f]+)").Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var lldbHits = Regex.Matches(lldb, @"Watchpoint (\d+) hit:\nold value: (.*)\nnew value: (.*)\n(?:.*\n)*?\s*frame #0: 0x([0-9a-f]+)")
            .Select(m => (Name: m.Groups[1].Value == "1" ? "local" : "counter", Old: m.Groups[2].Value, New: m.Groups[3].Value,
                Pc: ulong.Parse(m.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(3, lldbHits.Count);

        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var local = await run.Process.ResolveDataTargetAsync("local", main);
        var counter = await run.Process.ResolveDataTargetAsync("counter", main);
        var set = await run.Process.SetDataBreakpointsAsync([new(local, DataAccess.Write), new(counter, DataAccess.Write)]);
        var ours = new List<(string Name, string Old, string New, ulong Pc)>();
        ulong bias = 0;
        for (int i = 0; i < 3; i++)
        {
            var stop = await run.ContinueToStopAsync();
            var hit = set.Single(b => b.Id == stop.HitBreakpointIds.Single());
            var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
            bias = frames[0].Module!.LoadBias;
            ours.Add((hit.Target.Name, hit.OldValue!, hit.NewValue!, frames[0].Pc - bias));
        }
        // Both runs load the program at their own address: compare offsets from where each put `counter`.
        var lldbBias = lldbCounter - (counter.Address - bias);
        Assert.Equal(lldbHits.Select(h => (h.Name, h.Old, h.New, h.Pc - lldbBias)), ours);
        await run.Process.SetDataBreakpointsAsync([]);
    }

    [Fact]
    public async Task AReadWriteWatchStopsOnAReadAndClearingItLetsTheProgramFinish()
    {
        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var counter = await run.Process.ResolveDataTargetAsync("counter", main);
        var set = await run.Process.SetDataBreakpointsAsync([new(counter, DataAccess.ReadWrite)]);
        Assert.True(set[0].IsVerified, set[0].Message);

        // `local = 2` does not touch counter; `observed = counter` reads it.
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.DataBreakpoint, stop.Cause);
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        Assert.Equal("counter was read or written: 41", stop.Description);
        Assert.Equal("2", (await run.Process.EvaluateAsync("local", null)).Value);

        Assert.Empty(await run.Process.SetDataBreakpointsAsync([]));
        Assert.Empty(run.Process.DataBreakpoints);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    [Fact]
    public async Task AConditionAndAHitConditionDecideWhichWritesStop()
    {
        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var counter = await run.Process.ResolveDataTargetAsync("counter", main);
        var local = await run.Process.ResolveDataTargetAsync("local", main);
        // The condition sees memory after the write: `local = 2` fails it, both `counter = 42` pass it, and the hit
        // condition lets only the second of those stop.
        var set = await run.Process.SetDataBreakpointsAsync(
        [
            new(local, DataAccess.Write, "local == 3"),
            new(counter, DataAccess.Write, "counter == 42", "== 2"),
        ]);
        Assert.All(set, b => Assert.True(b.IsVerified, b.Message));
        var stop = await run.ContinueToStopAsync();
        Assert.Equal([set[1].Id], stop.HitBreakpointIds);
        Assert.Equal("counter was written: still 42", stop.Description);
        Assert.Equal((0, 2), (set[0].HitCount, set[1].HitCount));
        await run.Process.SetDataBreakpointsAsync([]);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    [Fact]
    public async Task AFifthDataBreakpointIsRejectedBecauseX86HasFourDebugRegisters()
    {
        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var specs = new List<DataBreakpointSpec>();
        foreach (var name in (string[])["g1", "g2", "g3", "g4", "g5"])
            specs.Add(new(await run.Process.ResolveDataTargetAsync(name, main), DataAccess.Write));
        var set = await run.Process.SetDataBreakpointsAsync(specs);
        Assert.Equal([true, true, true, true, false], set.Select(b => b.IsVerified));
        Assert.Equal([0, 1, 2, 3], set.Take(4).Select(b => b.Slot!.Value).Order());
        Assert.Contains("4 debug registers", set[4].Message, StringComparison.Ordinal);
        Assert.All(set.Take(4), b => Assert.Null(b.Message));

        // Replacing the set frees the registers: four others fit again.
        var again = await run.Process.SetDataBreakpointsAsync(specs.Skip(1).ToList());
        Assert.All(again, b => Assert.True(b.IsVerified, b.Message));
    }

    [Theory]
    [InlineData("buffer", "'buffer' is 40 bytes; an x86 debug register watches 1, 2, 4 or 8 aligned bytes")]
    [InlineData("pk.x", "is not aligned to its 4-byte size")]
    [InlineData("bf.flag", "'bf.flag' is a bit field")]
    [InlineData("counter + 1", "'counter + 1' is a computed value with no address")]
    [InlineData("no_such_name", "no_such_name")]
    public async Task MemoryNoDebugRegisterCanWatchIsRefusedWithAReason(string expression, string reason)
    {
        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var e = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.ResolveDataTargetAsync(expression, main));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAddressRangeIsWatchedWithTheSizeAsked()
    {
        var (run, main) = await AtCheckpointAsync();
        await using var _ = run;
        var counter = await run.Process.ResolveDataTargetAsync("counter", main);
        var low = await run.Process.ResolveDataAddressAsync("&counter", 2, main);
        Assert.Equal((counter.Address, 2), (low.Address, low.Size));
        var literal = await run.Process.ResolveDataAddressAsync($"0x{counter.Address:x}", 4, null);
        Assert.Equal(counter.Address, literal.Address);
        var odd = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.ResolveDataAddressAsync($"0x{counter.Address + 1:x}", 2, null));
        Assert.Contains("not aligned", odd.Message, StringComparison.Ordinal);
        var wide = await Assert.ThrowsAsync<ExpressionException>(() => run.Process.ResolveDataAddressAsync("&counter", 16, main));
        Assert.Contains("not 16", wide.Message, StringComparison.Ordinal);

        var set = await run.Process.SetDataBreakpointsAsync([new(literal, DataAccess.Write)]);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        // Without a type the values are the raw little-endian bytes as a number.
        Assert.Equal($"0x{counter.Address:x} changed from 0x00000029 to 0x0000002a", stop.Description);
    }

    [Fact]
    public async Task AThreadCreatedAfterTheWatchWasSetTriggersIt()
    {
        var (run, main) = await AtCheckpointAsync("thread");
        await using var _ = run;
        var counter = await run.Process.ResolveDataTargetAsync("counter", main);
        var set = await run.Process.SetDataBreakpointsAsync([new(counter, DataAccess.Write)]);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.DataBreakpoint, stop.Cause);
        Assert.NotEqual(run.Process.ProcessId, stop.ThreadId);
        Assert.Equal([set[0].Id], stop.HitBreakpointIds);
        Assert.Equal("counter changed from 41 to 100", stop.Description);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 1);
        Assert.Equal("worker", frames[0].Name);
        await run.Process.ContinueAsync();
        Assert.Equal(0, (await run.ExitAsync()).ExitCode);
    }

    [Fact]
    public async Task DetachLeavesNoDebugRegisterArmedAndTheProgramRunsOnUnharmed()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"trapdbg-watch-{Guid.NewGuid():N}");
        var (run, main) = await AtCheckpointAsync("detach", marker);
        int pid = run.Process.ProcessId;
        try
        {
            await using (run)
            {
                var counter = await run.Process.ResolveDataTargetAsync("counter", main);
                var set = await run.Process.SetDataBreakpointsAsync([new(counter, DataAccess.Write), new(counter, DataAccess.ReadWrite)]);
                Assert.All(set, b => Assert.True(b.IsVerified, b.Message));
                await run.Process.DetachAsync();
            }
            // Untraced, an armed debug register would kill the program with SIGTRAP on its first increment of counter.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!(File.Exists(marker) && File.ReadAllText(marker).EndsWith('\n')) && DateTime.UtcNow < deadline)
                await Task.Delay(20, TestContext.Current.CancellationToken);
            Assert.Equal("1041\n", File.ReadAllText(marker));

            // And the kernel says so: every thread's DR7 enables nothing.
            await using var again = await TraceeProcess.AttachAsync(pid, TestContext.Current.CancellationToken);
            Assert.NotEmpty(again.ThreadIds);
            foreach (var tid in again.ThreadIds)
            {
                var dr = await again.GetDebugRegistersAsync(tid);
                Assert.Equal(0UL, dr[7] & 0xFF);
                Assert.Equal([0UL, 0UL, 0UL, 0UL], dr.Take(4));
            }
            await again.KillAsync();
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
