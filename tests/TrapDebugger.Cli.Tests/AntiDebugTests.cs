using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>A program that refuses to run under a debugger (ptrace(PTRACE_TRACEME) fails when traced) exits, and trapdbg run
/// says it checked for a debugger, where, instead of only an exit status that looks like the program's own failure.</summary>
public sealed class AntiDebugTests
{
    [Theory]
    [InlineData("clang22-O0", "")]
    [InlineData("clang22-O0", "syscall")]
    [InlineData("gcc-O2", "")]
    public async Task A_program_that_checks_for_a_debugger_and_exits_is_reported_as_having_checked(string variant, string how)
    {
        var program = Fixtures.Build("anti_debug", variant == "gcc-O2" ? BuildVariant.GccO2 : BuildVariant.Clang22O0).Program;
        string[] args = how.Length > 0 ? [how] : [];

        var json = await CliRun.RunAsync(json: true, program, args);
        Assert.Equal(3, json.Status);
        var end = json.Json.GetProperty("end");
        Assert.Equal("exited", end.Str("how"));
        var check = end.Str("debuggerCheck");
        Assert.NotNull(check);
        Assert.StartsWith("it checked for a debugger: ptrace(PTRACE_TRACEME) from ", check);
        // The caller is named from the symbol table (the -O2 build inlines being_traced into main).
        Assert.Matches(@"from (being_traced|main)( at anti_debug\.c:\d+)? fails under a debugger", check);
        Assert.Contains("debugger detected", json.Error, StringComparison.Ordinal);

        var text = await CliRun.RunAsync(json: false, program, args);
        Assert.Equal(3, text.Status);
        Assert.Contains("exited with status 3; it checked for a debugger", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_checks_and_kills_itself_is_reported_as_having_checked()
    {
        var program = Fixtures.Build("anti_debug", BuildVariant.Clang22O0).Program;
        var json = await CliRun.RunAsync(json: true, program, "kill");
        Assert.Equal(128 + 9, json.Status);
        var end = json.Json.GetProperty("end");
        Assert.Equal("signaled", end.Str("how"));
        Assert.StartsWith("it checked for a debugger: ptrace(PTRACE_TRACEME) from being_traced", end.Str("debuggerCheck"));
        var text = await CliRun.RunAsync(json: false, program, "kill");
        Assert.Contains("was killed by SIGKILL; exit status 137; it checked for a debugger", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_checks_and_aborts_is_reported_at_the_abort_with_the_check()
    {
        var program = Fixtures.Build("anti_debug", BuildVariant.Clang22O0).Program;
        var json = await CliRun.RunAsync(json: true, program, "abort");
        Assert.Equal(128 + 6, json.Status);
        Assert.Equal("SIGABRT", json.Json.GetProperty("stop").Str("signalName"));
        Assert.StartsWith("it checked for a debugger: ptrace(PTRACE_TRACEME) from being_traced", json.Json.GetProperty("end").Str("debuggerCheck"));
    }

    [Fact]
    public async Task A_program_that_does_not_check_gets_no_such_sentence()
    {
        var program = Fixtures.Build("builtin_trap", BuildVariant.GccO2).Program;
        var run = await CliRun.RunAsync(json: true, program, "2");
        Assert.Equal(0, run.Status);
        Assert.Null(run.Json.GetProperty("end").Str("debuggerCheck"));
    }
}
