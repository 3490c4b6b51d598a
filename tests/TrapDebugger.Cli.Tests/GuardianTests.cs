using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Guardian;
using TrapDebugger.Targets;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>The guardian process that traces for trapdbg: the engine drives a guarded process as it drives one traced in
/// its own process, and trapdbg's death (SIGKILL) leaves an attached service whole and ends a launched program.</summary>
public sealed class GuardianTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private const string CountingSource = """
        #include <stdio.h>
        volatile int watched;
        __attribute__((noinline)) int twice(int x) { return x * 2; }
        int main(void) {
            int sum = 0;
            for (int i = 0; i < 1000; i++) sum += twice(i);
            watched = sum;
            printf("sum %d\n", sum);
            return sum % 7;
        }
        """;

    private static GuardedPlatform Platform(LossPolicy launched = LossPolicy.Kill) =>
        new([TrapdbgExecutable.Path, GuardianCommand.Name]) { LaunchedProgramOnLoss = launched };

    [Fact]
    public async Task The_engine_drives_a_guarded_process_breakpoint_decisions_masked_reads_data_breakpoints_and_exit()
    {
        var program = Fixtures.CompileSource(CountingSource, "counting.c", BuildVariant.Clang22O0);
        var process = await TargetProcess.LaunchAsync(Platform(), new LaunchOptions { Program = program, StandardOutput = StdioMode.Pipe }, TestContext.Current.CancellationToken);
        await using var _ = process;
        var events = Channel.CreateUnbounded<DebugEvent>();
        process.Event += e => events.Writer.TryWrite(e);
        var output = new StreamReader(process.StandardOutput!).ReadToEndAsync(TestContext.Current.CancellationToken);

        // Each of the first 700 hits is a question the guardian asks and the condition here answers.
        var set = await process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("twice", "x == 700")]);
        Assert.True(set[0].IsVerified, set[0].Message);
        await process.ContinueAsync();
        var stop = await NextStopAsync(events);
        Assert.Equal(StopCause.FunctionBreakpoint, stop.Cause);
        Assert.Equal("700", (await process.EvaluateAsync("x", null)).Value);

        // The int3 is in the process, but a read shows the program's own byte, as in the file.
        var pc = (await process.GetRegistersAsync(stop.ThreadId)).Pc;
        var live = new byte[8];
        Assert.Equal(8, process.Memory.Read(pc, live));
        Assert.Equal(FileBytesAt(process.ProcessId, program, pc, 8), live);

        await process.SetFunctionBreakpointsAsync([]);
        var target = await process.ResolveDataTargetAsync("watched", null);
        var watch = await process.SetDataBreakpointsAsync([new DataBreakpointSpec(target, DataAccess.Write)]);
        Assert.True(watch[0].IsVerified, watch[0].Message);
        await process.ContinueAsync();
        Assert.Equal(StopCause.DataBreakpoint, (await NextStopAsync(events)).Cause);
        Assert.Equal(999_000, int.Parse((await process.EvaluateAsync("watched", null)).Value, CultureInfo.InvariantCulture));

        await process.ContinueAsync();
        var exited = await NextAsync<ExitedEvent>(events);
        Assert.Equal(999_000 % 7, exited.ExitCode);
        Assert.Equal("sum 999000\n", await output.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Breakpoints_go_to_the_guardian_in_batches_with_one_outcome_each()
    {
        var program = Fixtures.CompileSource(CountingSource, "counting.c", BuildVariant.Clang22O0);
        await using var target = await Platform().LaunchAsync(new LaunchOptions { Program = program }, TestContext.Current.CancellationToken);
        Assert.IsType<ProcessStopped>(await NextTargetEventAsync(target));
        var twice = RuntimeAddress(target.ProcessId, program, "twice");
        const ulong Unmapped = 0x10;
        var hits = 0;
        BreakpointDecision passOver = _ =>
        {
            Interlocked.Increment(ref hits);
            return false;
        };

        var inserted = await target.InsertBreakpointsAsync([new(twice, passOver), new(twice), new(Unmapped)]);
        Assert.Null(inserted[0]);
        Assert.Null(inserted[1]);
        Assert.Contains("0x10", Assert.IsAssignableFrom<TargetException>(inserted[2]).Message, StringComparison.Ordinal);
        var live = new byte[8];
        Assert.Equal(8, target.Memory.Read(twice, live));
        Assert.Equal(FileBytesAt(target.ProcessId, program, twice, 8), live);

        // The plain insertion goes; a second plain one and one never made are refused each on its own.
        var removed = await target.RemoveBreakpointsAsync([new(twice), new(twice), new(Unmapped)]);
        Assert.Null(removed[0]);
        Assert.NotNull(removed[1]);
        Assert.NotNull(removed[2]);

        // What is left is the decided insertion: every call of twice() is decided and passed over, none reported.
        await target.ContinueAsync();
        var end = await NextTargetEventAsync(target);
        Assert.Equal(999_000 % 7, Assert.IsType<ProcessExited>(end).ExitCode);
        Assert.Equal(1000, hits);
    }

    [Fact]
    public async Task Registers_that_come_with_a_stop_are_answered_until_a_write_or_a_resume_changes_them()
    {
        var program = Fixtures.CompileSource(CountingSource, "counting.c", BuildVariant.Clang22O0);
        await using var target = await Platform().LaunchAsync(new LaunchOptions { Program = program }, TestContext.Current.CancellationToken);
        var stop = Assert.IsType<ProcessStopped>(await NextTargetEventAsync(target));
        var tid = stop.ThreadId;
        var atStop = await target.GetRegistersAsync(tid);
        Assert.Equal(atStop, await target.GetRegistersAsync(tid));

        // A write is seen by the next read.
        var changed = atStop with { Rax = atStop.Rax ^ 0x5a5a };
        await target.SetRegistersAsync(tid, changed);
        Assert.Equal(changed.Rax, (await target.GetRegistersAsync(tid)).Rax);
        await target.SetRegistersAsync(tid, atStop);
        Assert.Equal(atStop.Rax, (await target.GetRegistersAsync(tid)).Rax);

        // A step moves the pc; the next stop's registers say so.
        await target.StepInstructionAsync(tid);
        Assert.IsType<ProcessStopped>(await NextTargetEventAsync(target));
        var stepped = await target.GetRegistersAsync(tid);
        Assert.NotEqual(atStop.Rip, stepped.Rip);
        Assert.Equal(stepped, (await target.GetRegistersAsync(tid)));
        await target.KillAsync();
    }

    private static async Task<TargetEvent> NextTargetEventAsync(ITarget target)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var e = await target.Events.ReadAsync(timeout.Token);
            if (e is ProcessStopped or ProcessExited or ProcessKilled) return e;
        }
    }

    private static ulong RuntimeAddress(int pid, string program, string symbol)
    {
        var nm = Toolchain.Run(Toolchain.LlvmNm, ["--defined-only", program]);
        var value = nm.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 3 && f[2] == symbol).Select(f => ulong.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)).Single();
        var first = File.ReadLines($"/proc/{pid}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .First(f => f.Length >= 6 && f[5] == program && ulong.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == 0);
        return ulong.Parse(first[0].Split('-')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) + value;
    }

    [Fact]
    public async Task A_guardian_that_cannot_start_is_one_sentence()
    {
        var platform = new GuardedPlatform(["/nonexistent/trapdbg", GuardianCommand.Name]);
        var e = await Assert.ThrowsAsync<TraceException>(() => platform.AttachAsync(1, TestContext.Current.CancellationToken));
        Assert.StartsWith("could not start the guardian process '/nonexistent/trapdbg'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Attaching_to_the_debugger_itself_is_refused_before_a_guardian_traces_its_parent()
    {
        var e = await Assert.ThrowsAsync<SelfAttachException>(() => Platform().AttachAsync(Environment.ProcessId, TestContext.Current.CancellationToken));
        Assert.Contains("debugger's own process", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trapdbg_attach_killed_with_sigkill_leaves_the_service_untraced_with_its_code_as_in_its_files()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O0);
        var random = new Random(14);
        for (var round = 1; round <= 10; round++)
        {
            using var service = AttachTests.Start(binary.Program, "60000");
            using var trapdbg = TrapdbgExecutable.Start(["attach", service.Id.ToString(CultureInfo.InvariantCulture)]);
            try
            {
                var stderr = new StringWriterOf(trapdbg.StandardError);
                await WaitForAsync(() => stderr.Text.Contains("Attached", StringComparison.Ordinal) || trapdbg.HasExited);
                // While attached and running, trapdbg's debugger-check breakpoints (libc's ptrace and syscall) are in the
                // service's code (while it is stopped they are not).
                var attached = ProcessCheck.Of(service.Id);
                for (var i = 0; i < 100 && attached.Stopped > 0; i++)
                {
                    await Task.Delay(50, TestContext.Current.CancellationToken);
                    attached = ProcessCheck.Of(service.Id);
                }
                Assert.True(attached.Traced > 0 && attached.Stopped == 0 && attached.Mismatches >= 2, $"round {round}: {attached}");

                // The service's threads run on meanwhile: the kill comes at a moment of no one's choosing.
                await Task.Delay(random.Next(0, 300), TestContext.Current.CancellationToken);
                trapdbg.Kill();
                await trapdbg.WaitForExitAsync(TestContext.Current.CancellationToken);
                await WaitForAsync(() => AttachTests.State(service.Id) == 'X' || AttachTests.TracerPid(service.Id) == 0);
                await Task.Delay(100, TestContext.Current.CancellationToken);
                var after = ProcessCheck.Of(service.Id);
                Assert.True(after.IsClean && after.Threads == 5, $"round {round}: {after}");
                await WaitForAsync(() => stderr.Text.Contains($"the guardian restored process {service.Id}", StringComparison.Ordinal));
            }
            finally
            {
                AttachTests.Kill(service.Id);
            }
        }
    }

    [Fact]
    public async Task Trapdbg_run_killed_with_sigkill_ends_the_program_it_launched()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O0);
        using var trapdbg = TrapdbgExecutable.Start(["run", "--", binary.Program, "60000"]);
        var stderr = new StringWriterOf(trapdbg.StandardError);
        int pid = 0;
        await WaitForAsync(() => (pid = ProgramOf(trapdbg.Id, binary.Program)) != 0);
        Assert.NotEqual(0, AttachTests.TracerPid(pid));
        trapdbg.Kill();
        await trapdbg.WaitForExitAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(() => AttachTests.State(pid) is 'X' or 'Z');
        await WaitForAsync(() => stderr.Text.Contains($"the guardian ended the program it launched (process {pid})", StringComparison.Ordinal), () => stderr.Text);
    }

    /// <summary>The process running <paramref name="program"/> among the descendants of <paramref name="ancestor"/>, or 0.</summary>
    private static int ProgramOf(int ancestor, string program)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ResolveLinkTarget($"{dir}/exe", false)?.FullName != program) continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            for (var p = pid; p > 1; p = ParentOf(p))
                if (p == ancestor) return pid;
        }
        return 0;
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal));
            return int.Parse(line[5..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static byte[] FileBytesAt(int pid, string program, ulong address, int count)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5] != program) continue;
            var range = fields[0].Split('-');
            var (start, end) = (ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if (address < start || address >= end) continue;
            var offset = (long)(address - start) + long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return File.ReadAllBytes(program).AsSpan((int)offset, count).ToArray();
        }
        throw new InvalidOperationException($"0x{address:x} is in no mapping of {program}");
    }

    private static async Task<StopInfo> NextStopAsync(Channel<DebugEvent> events) => (await NextAsync<StoppedEvent>(events)).Stop;

    private static async Task<T> NextAsync<T>(Channel<DebugEvent> events) where T : DebugEvent
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var e = await events.Reader.ReadAsync(timeout.Token);
            if (e is T wanted) return wanted;
            Assert.False(e is ExitedEvent, $"the process ended while a {typeof(T).Name} was awaited: {e}");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string>? what = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in time{(what is null ? "" : ": " + what())}");
            await Task.Delay(20);
        }
    }

    /// <summary>Collects a stream's text as it arrives.</summary>
    private sealed class StringWriterOf
    {
        private readonly System.Text.StringBuilder text = new();

        public StringWriterOf(StreamReader reader) => _ = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
                lock (text) text.Append(buffer, 0, n);
        });

        public string Text
        {
            get
            {
                lock (text) return text.ToString();
            }
        }
    }
}
