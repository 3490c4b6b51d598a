using System.Text.Json;
using System.Text.RegularExpressions;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg run</c> on a program that makes processes (tests/fixtures/forker.c): a forked child's crash is the
/// report (its pid, its parent, the same diagnosis) and trapdbg's status is the child's; the child can be followed
/// instead, or debugged too; an uneventful fork says nothing unless asked.</summary>
public sealed class ForkTests
{
    private static string Forker => Fixtures.Build("forker", BuildVariant.Clang22O0).Program;

    private static JsonElement Report(ProcessResult r) => JsonDocument.Parse(r.Stdout).RootElement;

    [Fact]
    public void A_forked_childs_crash_is_the_report_with_its_pid_its_parent_and_the_diagnosis()
    {
        var r = TrapdbgExecutable.Run(["run", "--json", "--", Forker, "crash"]);
        Assert.True(r.ExitCode == 128 + 11, $"status {r.ExitCode}: {r.Stderr}");
        var report = Report(r);
        var child = report.Int("processId")!.Value;
        var parent = report.Int("forkedFrom")!.Value;
        Assert.NotEqual(child, parent);
        var stop = report.GetProperty("stop");
        Assert.Equal("SIGSEGV", stop.Str("signalName"));
        Assert.Equal("read_name_length", stop.Str("function"));
        Assert.Equal(FixtureSource.LineContaining(Path.Combine(Repository.FixtureSources, "forker.c"), "a NULL record faults here"), stop.GetProperty("landing").Int("line"));
        // The child was let go with its signal and died of it, as its parent saw.
        Assert.Equal("signaled", report.GetProperty("end").Str("how"));
        Assert.Contains($"child {child} killed by signal 11", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_the_debugger_itself_without_a_guardian_the_childs_crash_is_the_report_too()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await RunCommand.RunAsync(Forker, ["crash"], true, output, error, isTerminal: false, TestContext.Current.CancellationToken);
        Assert.True(status == 128 + 11, $"status {status}: {error}");
        var report = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.NotNull(report.Int("forkedFrom"));
        Assert.Equal("SIGSEGV", report.GetProperty("stop").Str("signalName"));
    }

    [Fact]
    public void The_text_report_names_the_child_and_its_parent()
    {
        var r = TrapdbgExecutable.Run(["run", "--", Forker, "crash"]);
        Assert.Equal(128 + 11, r.ExitCode);
        Assert.Matches(@"Process \d+ \(forked by process \d+\) stopped \(SIGSEGV in read_name_length\)", r.Stdout);
    }

    [Fact]
    public void Uneventful_forks_say_nothing_by_default_and_one_line_each_with_fork_events_all()
    {
        var quiet = TrapdbgExecutable.Run(["run", "--", Forker, "many", "3"]);
        Assert.Equal(0, quiet.ExitCode);
        Assert.DoesNotMatch("child process", quiet.Stderr);
        var all = TrapdbgExecutable.Run(["run", "--fork-events", "all", "--", Forker, "many", "3"]);
        Assert.Equal(0, all.ExitCode);
        var lines = all.Stderr.Split('\n').Where(l => l.StartsWith("trapdbg: child process", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        for (var i = 0; i < 3; i++) Assert.Contains(lines, l => Regex.IsMatch(l, $@"^trapdbg: child process \d+ exited with status {i}$"));
    }

    [Fact]
    public void A_child_that_executes_another_program_is_let_go_before_the_call()
    {
        var r = TrapdbgExecutable.Run(["run", "--fork-events", "all", "--", Forker, "exec"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"trapdbg: child process \d+ called execve and was let go to run the new program", r.Stderr);
        Assert.Matches(@"child \d+ exited 0\n", r.Stdout);
    }

    [Fact]
    public void Following_the_child_reports_the_child_and_lets_the_parent_run_on()
    {
        var exit = TrapdbgExecutable.Run(["run", "--follow-fork", "child", "--json", "--", Forker, "exit"]);
        Assert.True(exit.ExitCode == 7, $"status {exit.ExitCode}: {exit.Stderr}");
        var crash = TrapdbgExecutable.Run(["run", "--follow-fork", "child", "--json", "--", Forker, "crash"]);
        Assert.True(crash.ExitCode == 128 + 11, $"status {crash.ExitCode}: {crash.Stderr}");
        var report = Report(crash);
        Assert.Equal("read_name_length", report.GetProperty("stop").Str("function"));
        // The process reported is the child: the parent printed the child's death (killed by trapdbg after the report).
        Assert.Contains($"child {report.Int("processId")} killed by signal 9", crash.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void With_detach_on_fork_off_the_child_is_debugged_too_and_its_crash_is_the_report()
    {
        var r = TrapdbgExecutable.Run(["run", "--detach-on-fork", "off", "--json", "--", Forker, "crash"]);
        Assert.True(r.ExitCode == 128 + 11, $"status {r.ExitCode}: {r.Stderr}");
        var report = Report(r);
        Assert.NotNull(report.Int("forkedFrom"));
        Assert.Equal("read_name_length", report.GetProperty("stop").Str("function"));
    }

    [Fact]
    public void The_parents_own_crash_after_a_quiet_fork_is_the_report()
    {
        var r = TrapdbgExecutable.Run(["run", "--json", "--", Forker, "parent-crash"]);
        Assert.Equal(128 + 11, r.ExitCode);
        var report = Report(r);
        Assert.Null(report.Int("forkedFrom"));
        Assert.Equal("SIGSEGV", report.GetProperty("stop").Str("signalName"));
    }

    [Theory]
    [InlineData("--follow-fork", "sideways")]
    [InlineData("--detach-on-fork", "maybe")]
    [InlineData("--fork-events", "some")]
    public void A_wrong_fork_option_is_a_usage_error(string option, string value)
    {
        var r = TrapdbgExecutable.Run(["run", option, value, "--", Forker, "exit"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(value, r.Stderr, StringComparison.Ordinal);
    }
}
