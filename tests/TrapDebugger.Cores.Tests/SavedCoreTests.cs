using System.Threading.Channels;
using TrapDebugger.Elf.Core;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cores.Tests;

/// <summary>Cores written from a live process at its stop (<see cref="TargetProcess.SaveCoreAsync"/>): they reopen as a
/// target with the same stop and stacks, and gdb -c and lldb-22 -c unwind every thread as the engine does.</summary>
public sealed class SavedCoreTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string> Crashes => new()
    {
        { "threads32", "clang22-O2", "trap" },
        { "shlib_trap", "clang22-O0", "2 3" },
        { "builtin_trap", "gcc-O2", "9" },
        { "assert_fail", "gcc-O2", "100" },
        { "null_field", "clang22-O0", "mallory" },
    };

    [Theory]
    [MemberData(nameof(Crashes))]
    public async Task CoreSavedAtTheCrashReopensWithTheSameStopAndUnwindsAsGdbAndLldbDo(string fixture, string variant, string input)
    {
        var binary = Fixtures.Build(fixture, new[] { BuildVariant.Clang22O0, BuildVariant.Clang22O2, BuildVariant.GccO0, BuildVariant.GccO2 }.Single(v => v.ToString() == variant));
        var folder = Directory.CreateTempSubdirectory("trapdbg-saved-core-").FullName;
        try
        {
            var path = Path.Combine(folder, "core");
            StopInfo live;
            List<(int Thread, List<(ulong Pc, string Name)> Frames)> liveStacks = [];
            CoreWriteResult written;
            await using (var process = await TargetProcess.LaunchAsync(LocalPlatform.Instance, new LaunchOptions
            {
                Program = binary.Program,
                Arguments = input.Split(' '),
                StandardOutput = StdioMode.Pipe,
                StandardError = StdioMode.Pipe,
            }, TestContext.Current.CancellationToken))
            {
                _ = process.StandardOutput?.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
                _ = process.StandardError?.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
                live = await RunToCrashAsync(process);
                written = await process.SaveCoreAsync(path);
                foreach (var t in process.Threads)
                    liveStacks.Add((t.Id, await StackAsync(process, t.Id)));
            }
            output.WriteLine($"{written.Threads} threads, {written.IncludedBytes >> 10} KiB written, {written.OmittedBytes >> 10} KiB left to the files");
            Assert.Equal(liveStacks.Count, written.Threads);
            Assert.Equal(0UL, written.UnreadableBytes);
            // Pages of zeros are holes: the file takes far less room on disk than the memory it describes.
            Assert.True(new FileInfo(path).Length >= (long)written.IncludedBytes);

            await using (var reopened = await TargetProcess.OpenAsync(CoreTarget.Open(path)))
            {
                var stop = Assert.IsType<StopInfo>(reopened.LastStop);
                Assert.Equal(live.ThreadId, stop.ThreadId);
                Assert.Equal(live.Description, stop.Description);
                Assert.Equal(live.Diagnosis?.Message, stop.Diagnosis?.Message);
                Assert.Equal(live.Diagnosis?.Landing?.Location, stop.Diagnosis?.Landing?.Location);
                Assert.Equal(live.Diagnosis?.Origins.Select(o => (o.Rank, o.Location, o.Condition)), stop.Diagnosis?.Origins.Select(o => (o.Rank, o.Location, o.Condition)));
                foreach (var (thread, frames) in liveStacks)
                    Assert.Equal(frames, await StackAsync(reopened, thread));
            }
            await CoreTargetBacktraceTests.AssertUnwindsAsGdbAndLldbAsync(path, binary, output);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task ACoreCannotRunOrBeChangedAndSaysSoInOneSentence()
    {
        var dump = CoreCatalog.Produce(CoreCatalog.Ids.First(i => i.StartsWith("verbose_trap_multi clang22-O0", StringComparison.Ordinal)));
        var target = CoreTarget.Open(dump.Path);
        await using var process = await TargetProcess.OpenAsync(target);
        var stop = Assert.IsType<StopInfo>(process.LastStop);
        Assert.Equal(StopCause.Exception, stop.Cause);
        Assert.Equal(SignalFate.Fatal, stop.Fate);
        var reason = Assert.IsType<string>(process.ReadOnlyReason);
        Assert.Equal($"core file {dump.Path} records a process that has ended: it can be inspected, not run, stepped or paused.", reason);
        Assert.Equal(reason, (await Assert.ThrowsAsync<EngineException>(process.ContinueAsync)).Message);
        Assert.Equal(reason, (await Assert.ThrowsAsync<EngineException>(() => process.StepAsync(stop.ThreadId, StepKind.Over))).Message);
        Assert.Equal(reason, (await Assert.ThrowsAsync<EngineException>(() => process.StepAsync(stop.ThreadId, StepKind.Instruction))).Message);
        Assert.True(process.IsStopped);
        await process.PauseAsync();
        Assert.True(process.IsStopped);
        var written = Assert.Throws<ReadOnlyTargetException>(() => process.Memory.Write(0x1000, [1]));
        Assert.EndsWith("it can be inspected, not written.", written.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ReadOnlyTargetException>(() => target.SetRegistersAsync(stop.ThreadId, default));
        // A function of the program cannot be called: nothing runs in a core.
        var call = await Assert.ThrowsAnyAsync<Exception>(() => process.EvaluateAsync("main(0, 0)", null));
        Assert.Contains("it can be inspected, not run", call.Message, StringComparison.Ordinal);
        var source = dump.Binary.Sources[0];
        var breakpoints = await process.SetSourceBreakpointsAsync(source, [new Engine.Breakpoints.SourceBreakpointSpec(stop.Diagnosis!.Landing!.Location!.Value.Line)]);
        Assert.False(breakpoints[0].IsVerified);
        Assert.StartsWith($"breakpoints cannot be hit in core file {dump.Path}", breakpoints[0].Message, StringComparison.Ordinal);
        // Inspection works as at a live stop.
        var (frames, _) = await process.GetStackTraceAsync(stop.ThreadId);
        Assert.Contains(frames, f => f.Name == "main");
        var value = await process.EvaluateAsync("argc", frames.First(f => f.Name == "main").Id);
        Assert.Equal("2", value.Value);
        // Ending the session closes the core, reported as the death it records.
        var ended = new TaskCompletionSource<ExitedEvent>();
        process.Event += e => { if (e is ExitedEvent x) ended.TrySetResult(x); };
        await process.TerminateAsync();
        var exit = await ended.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(4, exit.Signal);
        Assert.EndsWith("was killed by SIGILL (core dumped)", exit.Description, StringComparison.Ordinal);
    }

    private static async Task<StopInfo> RunToCrashAsync(TargetProcess process)
    {
        var events = Channel.CreateUnbounded<DebugEvent>();
        process.Event += e => events.Writer.TryWrite(e);
        await process.ContinueAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (true)
        {
            var e = await events.Reader.ReadAsync(timeout.Token);
            if (e is ExitedEvent x) throw new InvalidOperationException($"the program ended without a crash: {x.Description}");
            if (e is StoppedEvent { Stop: { Cause: StopCause.Exception, Fate: SignalFate.Fatal } stop }) return stop;
            if (e is StoppedEvent) await process.ContinueAsync();
        }
    }

    private static async Task<List<(ulong Pc, string Name)>> StackAsync(TargetProcess process, int thread)
    {
        var (frames, _) = await process.GetStackTraceAsync(thread, 0, 128);
        return [.. frames.Select(f => (f.Pc, f.Name))];
    }
}
