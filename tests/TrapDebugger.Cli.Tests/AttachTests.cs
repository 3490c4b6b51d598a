using System.Diagnostics;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg attach</c> on the running service fixture: it waits through the signals the service handles itself,
/// reports the trap when it comes, and on Ctrl-C detaches and leaves the service running untraced.</summary>
public sealed class AttachTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    public async Task ReportsTheTrapOfAnAttachedService(string variant)
    {
        var binary = Fixtures.Build("service", RunReportTests.Variant(variant));
        var trapFile = Path.Combine(Path.GetTempPath(), $"trapdbg-attach-{Environment.ProcessId}-{variant}");
        File.Delete(trapFile);
        using var service = Start(binary.Program, "60000", "--trap-file", trapFile);
        try
        {
            var output = new StringWriter();
            var error = new SynchronizedWriter();
            var attach = AttachCommand.AttachAsync(service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), true, output, error, false, TestContext.Current.CancellationToken);
            await WaitForAsync(() => error.Text.Contains("Attached", StringComparison.Ordinal) || attach.IsCompleted);
            Assert.False(attach.IsCompleted, error.Text);
            // The service polls for the file between requests; the next request after it appears traps.
            await File.WriteAllTextAsync(trapFile, "", TestContext.Current.CancellationToken);
            var status = await attach.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            Assert.True(status == 128 + 4, $"status {status}: {error.Text}");
            var report = new CliResult(status, output.ToString(), error.Text).Json;
            var stop = report.GetProperty("stop");
            Assert.Equal("State check", stop.Str("category"));
            Assert.Equal("request accepted while the service is draining", stop.Str("message"));
            var (file, first, last) = FixtureSource.VerboseTrapStatement(binary.Sources, "State check", "request accepted while the service is draining");
            Assert.InRange(stop.GetProperty("landing").Int("line")!.Value, first, last);
            Assert.Equal(file, stop.GetProperty("landing").Str("file"));
            Assert.NotEmpty(report.Items("otherThreads"));
            await WaitForAsync(() => !Directory.Exists($"/proc/{service.Id}") || State(service.Id) == 'Z');
        }
        finally
        {
            File.Delete(trapFile);
            Kill(service.Id);
        }
    }

    [Fact]
    public async Task InterruptDetachesAndLeavesTheProcessRunning()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        using var service = Start(binary.Program, "60000");
        try
        {
            using var interrupt = new CancellationTokenSource();
            var output = new StringWriter();
            var error = new SynchronizedWriter();
            var attach = AttachCommand.AttachAsync(service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), false, output, error, false, interrupt.Token);
            await WaitForAsync(() => error.Text.Contains("Attached", StringComparison.Ordinal) || attach.IsCompleted);
            Assert.NotEqual(0, TracerPid(service.Id));
            await interrupt.CancelAsync();
            var status = await attach.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            Assert.True(status == 128 + 2, $"status {status}: {error.Text}");
            Assert.Contains("Detached", output.ToString(), StringComparison.Ordinal);
            Assert.True(Directory.Exists($"/proc/{service.Id}"));
            Assert.Equal(0, TracerPid(service.Id));
            Assert.Contains(State(service.Id), "RS");
        }
        finally
        {
            Kill(service.Id);
        }
    }

    [Theory]
    [InlineData("abc", "is not a process id")]
    [InlineData("-3", "is not a process id")]
    [InlineData("999999999", "there is no process with id")]
    public async Task BadPidIsOneSentence(string pid, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await AttachCommand.AttachAsync(pid, false, output, error, false, TestContext.Current.CancellationToken);
        Assert.NotEqual(0, status);
        var line = Assert.Single(error.ToString().TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    /// <summary>Starts the program in the background of a shell that exits at once, so it is not a child of the test process:
    /// a traced process that is also our child would be reaped by the tracer before System.Diagnostics.Process could.</summary>
    internal static Process Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("\"$0\" \"$@\" >/dev/null 2>&1 </dev/null & echo $!");
        info.ArgumentList.Add(program);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var shell = Process.Start(info)!;
        var pid = int.Parse(shell.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        shell.WaitForExit();
        return Process.GetProcessById(pid);
    }

    internal static void Kill(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    internal static int TracerPid(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal))[10..].Trim(), System.Globalization.CultureInfo.InvariantCulture);

    internal static char State(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("State:", StringComparison.Ordinal))[6..].Trim()[0];
        }
        catch (IOException)
        {
            return 'X';
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(20);
        }
    }

    /// <summary>A StringWriter safe to read while another thread writes.</summary>
    private sealed class SynchronizedWriter : StringWriter
    {
        public string Text
        {
            get
            {
                lock (this) return ToString();
            }
        }

        public override void Write(char value)
        {
            lock (this) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (this) base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }
    }
}
