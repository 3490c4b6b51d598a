using System.Diagnostics;
using System.Text.Json;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native;
using TrapDebugger.Remote.Client;
using TrapDebugger.Targets;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>Debugging through the real <c>trapdbg agent --stdio</c> in a process of its own: the same reports, stops,
/// frames and variables as on this machine; a client that dies leaves the service running with its code unchanged.</summary>
public sealed class RemoteAgentTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("clang22-O2", "bounds")]
    [InlineData("clang22-O2", "state")]
    [InlineData("clang19-O2", "null")]
    public async Task RunThroughTheAgentReportsTheSameCheckAsALocalRun(string variant, string check)
    {
        var binary = Fixtures.Build("verbose_trap_multi", RunReportTests.Variant(variant));
        var local = await CliRun.RunAsync(true, binary.Program, check);
        var remote = await RunRemoteAsync(AgentProcess.StdioCommand(), binary.Program, check);
        Assert.Equal(local.Status, remote.Status);
        AssertSameStop(local.Json.GetProperty("stop"), remote.Json.GetProperty("stop"));
    }

    internal static async Task<CliResult> RunRemoteAsync(string remoteCommand, string program, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await RunCommand.RunAsync(program, args, true, output, error, false, TestContext.Current.CancellationToken, remoteCommand: remoteCommand).WaitAsync(Timeout);
        Assert.True(output.ToString().Length > 0, $"status {status}: {error}");
        return new CliResult(status, output.ToString(), error.ToString());
    }

    /// <summary>The diagnosis (kind, check, message, landing line, ranked origins) is the same wherever the process ran.</summary>
    internal static void AssertSameStop(JsonElement local, JsonElement remote)
    {
        foreach (var name in new[] { "kind", "category", "message", "reason" })
            Assert.Equal(local.Str(name), remote.Str(name));
        Assert.Equal(local.GetProperty("landing").GetRawText(), remote.GetProperty("landing").GetRawText());
        var localOrigins = local.Items("origins").Select(o => (o.Str("message"), o.Int("line"))).ToList();
        var remoteOrigins = remote.Items("origins").Select(o => (o.Str("message"), o.Int("line"))).ToList();
        Assert.Equal(localOrigins, remoteOrigins);
    }

    [Fact]
    public async Task AttachThroughTheAgentReportsTheServiceTrapAndLeavesNoTracer()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        var trapFile = Path.Combine(Path.GetTempPath(), $"trapdbg-remote-attach-{Environment.ProcessId}");
        File.Delete(trapFile);
        using var service = AttachTests.Start(binary.Program, "60000", "--trap-file", trapFile);
        try
        {
            await AttachReportsServiceTrapAsync(service.Id, trapFile, binary);
        }
        finally
        {
            File.Delete(trapFile);
            AttachTests.Kill(service.Id);
        }
    }

    /// <summary>Attaches to the running <c>service</c> fixture <paramref name="pid"/> through the stdio agent with
    /// <c>trapdbg attach --json</c>, makes it trap through <paramref name="trapFile"/>, and checks the report names the
    /// state check and lands on its statement.</summary>
    internal static async Task AttachReportsServiceTrapAsync(int pid, string trapFile, FixtureBinary binary)
    {
        var output = new StringWriter();
        var error = new AttachTests.SynchronizedWriter();
        var attach = AttachCommand.AttachAsync(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), true, output, error, false,
            TestContext.Current.CancellationToken, remoteCommand: AgentProcess.StdioCommand());
        await AttachTests.WaitForAsync(() => error.Text.Contains("Attached", StringComparison.Ordinal) || attach.IsCompleted);
        Assert.False(attach.IsCompleted, error.Text);
        await File.WriteAllTextAsync(trapFile, "", TestContext.Current.CancellationToken);
        var status = await attach.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(status == 128 + 4, $"status {status}: {error.Text}");
        var stop = new CliResult(status, output.ToString(), error.Text).Json.GetProperty("stop");
        Assert.Equal("State check", stop.Str("category"));
        Assert.Equal("request accepted while the service is draining", stop.Str("message"));
        var (file, first, last) = FixtureSource.VerboseTrapStatement(binary.Sources, "State check", "request accepted while the service is draining");
        Assert.InRange(stop.GetProperty("landing").Int("line")!.Value, first, last);
        Assert.Equal(file, stop.GetProperty("landing").Str("file"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AttachWaitForCatchesAProgramAShellStartsAndReportsItsTrap(bool remote)
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        // The program under a name no other test runs, so the wait can only catch the process started here: a hard link
        // beside it, not a copy (a copy just written can still be open for writing in a child another test forks, and
        // then it cannot be executed: "Text file busy").
        var program = Path.Combine(Path.GetDirectoryName(binary.Program)!, $"svc{Environment.ProcessId}{(remote ? "r" : "l")}");
        File.Delete(program);
        using (var link = Process.Start(new ProcessStartInfo("ln", [binary.Program, program]))!)
            await link.WaitForExitAsync(TestContext.Current.CancellationToken);
        var trapFile = program + ".trap";
        var output = new StringWriter();
        var error = new AttachTests.SynchronizedWriter();
        var attach = AttachCommand.AttachAsync(null, true, output, error, false, TestContext.Current.CancellationToken,
            remoteCommand: remote ? AgentProcess.StdioCommand() : null, waitFor: Path.GetFileName(program));
        int shell = 0;
        try
        {
            await AttachTests.WaitForAsync(() => error.Text.Contains("Waiting for a process running", StringComparison.Ordinal) || attach.IsCompleted);
            Assert.False(attach.IsCompleted, error.Text);
            // The inner shell's pid appears before it runs the program: it becomes the program only at its exec. It is
            // started in the background of another shell, so it is no child of this process: a tracer here that reaps its
            // end would otherwise take it from System.Diagnostics.Process, which fails fast when its child is gone.
            using (var starter = Process.Start(new ProcessStartInfo("sh", ["-c", $"sh -c \"sleep 0.3; exec '{program}' 60000 --trap-file '{trapFile}'\" >/dev/null 2>&1 & echo $!"])
            {
                RedirectStandardOutput = true,
            })!)
            {
                shell = int.Parse((await starter.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                await starter.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
            await AttachTests.WaitForAsync(() => error.Text.Contains("Attached", StringComparison.Ordinal) || attach.IsCompleted);
            Assert.Contains($"Attached to process {shell} ", error.Text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(trapFile, "", TestContext.Current.CancellationToken);
            var status = await attach.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            Assert.True(status == 128 + 4, $"status {status}: {error.Text}");
            var stop = new CliResult(status, output.ToString(), error.Text).Json.GetProperty("stop");
            Assert.Equal("request accepted while the service is draining", stop.Str("message"));
        }
        finally
        {
            if (shell != 0) AttachTests.Kill(shell);
            File.Delete(trapFile);
            File.Delete(program);
        }
    }

    [Fact]
    public async Task BreakpointsSteppingAndVariablesThroughTheAgentMatchALocalSession()
    {
        var binary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O0);
        var local = await WalkOnAsync(null, binary.Program);
        var remote = await WalkOnAsync(AgentProcess.StdioCommand(), binary.Program);
        Assert.Contains("transfer", local[0], StringComparison.Ordinal);
        Assert.Contains("amount = 25", local[1], StringComparison.Ordinal);
        Assert.Equal(local, remote);
    }

    /// <summary>Walks <paramref name="program"/> on this machine, or through the agent <paramref name="remoteCommand"/> starts
    /// (module files it fetches kept in <paramref name="cacheDirectory"/>, or the user's cache).</summary>
    internal static async Task<List<string>> WalkOnAsync(string? remoteCommand, string program, string? cacheDirectory = null)
    {
        ITargetPlatform platform = remoteCommand is null
            ? LocalPlatform.Instance
            : await RemotePlatform.ConnectAsync(new RemoteEndpoint { Pipe = RemoteEndpoint.SplitCommand(remoteCommand), CacheDirectory = cacheDirectory },
                TestContext.Current.CancellationToken);
        return await WalkAsync(platform, program);
    }

    /// <summary>Breaks in transfer(), lists the stack and the locals, steps over a line and lists them again; then
    /// detaches from nothing and kills the program.</summary>
    private static async Task<List<string>> WalkAsync(ITargetPlatform platform, string program)
    {
        var seen = new List<string>();
        await using var process = await TargetProcess.LaunchAsync(platform, new LaunchOptions
        {
            Program = program,
            Arguments = ["ok"],
            StandardOutput = StdioMode.Pipe,
            StandardError = StdioMode.Pipe,
        }, TestContext.Current.CancellationToken);
        var stops = System.Threading.Channels.Channel.CreateUnbounded<StopInfo>();
        process.Event += e =>
        {
            if (e is StoppedEvent s) stops.Writer.TryWrite(s.Stop);
        };
        var breakpoints = await process.SetFunctionBreakpointsAsync([new FunctionBreakpointSpec("transfer")]);
        Assert.True(breakpoints[0].IsVerified);
        await process.ContinueAsync();
        for (int i = 0; i < 2; i++)
        {
            var stop = await stops.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout);
            var (frames, _) = await process.GetStackTraceAsync(stop.ThreadId);
            seen.Add(string.Join(" | ", frames.Select(f => $"{f.Name}:{f.Location?.Line}")));
            var scopes = await process.GetScopesAsync(frames[0].Id);
            var locals = process.GetVariables(scopes[0].VariablesReference);
            seen.Add(string.Join(", ", locals.Select(v => $"{v.Name} = {v.Value}")));
            if (i == 0)
                await process.StepAsync(stop.ThreadId, StepKind.Over);
        }
        await process.TerminateAsync();
        return seen;
    }

    private static Task<RemotePlatform> ConnectStdioAgentAsync() =>
        RemotePlatform.ConnectAsync(new RemoteEndpoint { Pipe = RemoteEndpoint.SplitCommand(AgentProcess.StdioCommand()) }, TestContext.Current.CancellationToken);

    /// <summary>Launches verbose_trap_multi (-O0, "ok") through <paramref name="platform"/> as a bare target and reads
    /// its events up to the entry stop (the modules the loader mapped may be announced with it).</summary>
    private static async Task<ITarget> LaunchToEntryAsync(RemotePlatform platform)
    {
        var binary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O0);
        var target = await platform.LaunchAsync(new LaunchOptions { Program = binary.Program, Arguments = ["ok"] }, TestContext.Current.CancellationToken);
        while (await target.Events.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken) is not ProcessStopped)
        {
        }
        return target;
    }

    [Fact]
    public async Task AReadAcrossTheEndOfAMappingGivesTheReadableBytesAsTheProcessHasThem()
    {
        await using var platform = await ConnectStdioAgentAsync();
        await using var target = await LaunchToEntryAsync(platform);
        var regions = await target.GetMemoryRegionsAsync();
        // A readable mapping with nothing mapped right after it: a read running past its end stops there.
        var edge = regions.First(r => r.Readable && !regions.Any(o => o.Start == r.End));
        var buffer = new byte[3 * 4096];
        int read = target.Memory.Read(edge.End - 16, buffer);
        Assert.Equal(16, read);
        var expected = new byte[16];
        using (var mem = new FileStream($"/proc/{target.ProcessId}/mem", FileMode.Open, FileAccess.Read))
        {
            mem.Seek((long)(edge.End - 16), SeekOrigin.Begin);
            mem.ReadExactly(expected);
        }
        Assert.Equal(expected, buffer[..16]);
        // The unreadable pages are remembered as such for this stop: asking again reads nothing more.
        Assert.Equal(0, target.Memory.Read(edge.End, buffer));
        await target.KillAsync();
    }

    [Fact]
    public async Task WritingTheMemoryOfAProcessThatEndedFailsWithOneSentenceAndTheAgentServesOn()
    {
        await using var platform = await ConnectStdioAgentAsync();
        await using var target = await LaunchToEntryAsync(platform);
        ulong stack = (await target.GetRegistersAsync(target.ProcessId)).Rsp;
        await target.KillAsync();
        // The mem file of a process whose memory is gone writes nothing; that must end the write, not repeat it forever.
        var write = Task.Run(() => target.Memory.Write(stack, [1, 2, 3, 4]), TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<TargetMemoryException>(() => write.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        Assert.Equal($"cannot write 4 bytes at 0x{stack:x}", e.Message);
        Assert.NotEmpty(await platform.ListProcessesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PsThroughTheAgentListsTheAgentsProcesses()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await PsCommand.ListAsync(AgentProcess.StdioCommand(), true, output, error, TestContext.Current.CancellationToken);
        Assert.True(status == 0, error.ToString());
        var rows = JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray().ToList();
        // The agent lists itself: a process running trapdbg with the agent's arguments.
        Assert.Contains(rows, r => r.Str("commandLine") is { } c && c.Contains("agent --stdio", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Int("pid") == Environment.ProcessId);
    }

    [Fact]
    public async Task KilledClientLeavesTheServiceRunningWithItsCodeUnchanged()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        using var service = AttachTests.Start(binary.Program, "60000");
        var log = new List<string>();
        Process? client = null;
        try
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            var before = CodeBytes(service.Id);
            Assert.NotEmpty(before);
            // A whole client (trapdbg attach through the agent) that dies with SIGKILL mid-session, as an adapter can.
            client = AgentProcess.Start(["attach", "--remote", AgentProcess.StdioCommand(), service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], log);
            await AttachTests.WaitForAsync(() => { lock (log) return log.Any(l => l.Contains("Attached", StringComparison.Ordinal)) || client.HasExited; });
            Assert.False(client.HasExited, string.Join('\n', log));
            Assert.NotEqual(0, AttachTests.TracerPid(service.Id));
            client.Kill(entireProcessTree: false);
            await AttachTests.WaitForAsync(() => AttachTests.TracerPid(service.Id) == 0);
            Assert.Contains(AttachTests.State(service.Id), "RS");
            Assert.Equal(before, CodeBytes(service.Id));
        }
        finally
        {
            if (client is not null) AgentProcess.Kill(client);
            AttachTests.Kill(service.Id);
        }
    }

    /// <summary>Every executable mapping of the process, read from /proc/PID/mem (what the program runs, breakpoints included).</summary>
    internal static byte[] CodeBytes(int pid)
    {
        using var mem = new FileStream($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read);
        var all = new MemoryStream();
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 6 || parts[1][2] != 'x' || parts[5].StartsWith('['))
                continue;
            var range = parts[0].Split('-');
            long start = Convert.ToInt64(range[0], 16), end = Convert.ToInt64(range[1], 16);
            var buffer = new byte[end - start];
            mem.Seek(start, SeekOrigin.Begin);
            mem.ReadExactly(buffer);
            all.Write(buffer);
        }
        return all.ToArray();
    }
}
