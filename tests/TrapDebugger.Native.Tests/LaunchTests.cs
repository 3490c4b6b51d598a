using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Proc;

namespace TrapDebugger.Native.Tests;

/// <summary>Launching: arguments, environment, working directory, pipes, ASLR, the entry stop and exit reporting.</summary>
public class LaunchTests
{
    [Fact]
    public async Task Launch_stops_at_entry_then_runs_with_args_env_cwd_and_pipes()
    {
        var program = Programs.Build(Programs.EchoSource, "echo");
        var cwd = Directory.CreateTempSubdirectory("trapdbg-cwd").FullName;
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions
        {
            Program = program,
            Arguments = ["7", "two words"],
            Environment = new Dictionary<string, string> { ["TRAPDBG_TEST_VALUE"] = "hello", ["PATH"] = "/usr/bin:/bin" },
            WorkingDirectory = cwd,
            StandardInput = StdioMode.Pipe,
            StandardOutput = StdioMode.Pipe,
            StandardError = StdioMode.Pipe,
        });
        var stop = await Tracee.NextStop(p);
        Assert.Equal(StopReason.Entry, stop.Reason);
        Assert.Equal(p.Pid, stop.ThreadId);
        var auxv = ProcFs.Auxv(p.Pid);
        Assert.Equal(auxv[AuxVector.AT_ENTRY], stop.Address);
        var regs = await p.GetRegistersAsync(p.Pid);
        Assert.Equal(stop.Address, regs.Rip);
        Assert.Equal(program, ProcFs.Executable(p.Pid));
        Assert.Equal('t', ProcFs.Status(p.Pid)!.State);

        var stdout = new StreamReader(p.StandardOutput!).ReadToEndAsync();
        var stderr = new StreamReader(p.StandardError!).ReadToEndAsync();
        await p.StandardInput!.WriteAsync("typed\n"u8.ToArray());
        p.StandardInput.Close();
        await p.ContinueAsync();
        var end = await Tracee.End(p);
        Assert.Equal(new ProcessExited(7), end);
        Assert.Equal($"arg1=7\narg2=two words\nenv=hello\ncwd={cwd}\nstdin=typed\n", await stdout.WaitAsync(Tracee.Timeout));
        Assert.Equal("to-stderr\n", await stderr.WaitAsync(Tracee.Timeout));
    }

    [Fact]
    public async Task Aslr_is_disabled_by_default_and_enabled_on_request()
    {
        var program = Programs.Build(Programs.CrashSource, "crash");
        async Task<ulong> EntryOf(bool disable)
        {
            await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, DisableAslr = disable });
            return (await Tracee.NextStop(p)).Address;
        }
        var fixedEntries = new[] { await EntryOf(true), await EntryOf(true) };
        Assert.Equal(fixedEntries[0], fixedEntries[1]);
        // A PIE without randomisation loads at the kernel's fixed base 0x555555554000 (2/3 of TASK_SIZE, page-aligned).
        Assert.InRange(fixedEntries[0], 0x555555554000UL, 0x555555554000UL + 0x100000);
        var random = new HashSet<ulong>();
        for (var i = 0; i < 3; i++) random.Add(await EntryOf(false));
        Assert.True(random.Count > 1, "three randomised launches all loaded at the same address");
    }

    [Theory]
    [InlineData("/nonexistent/program", "does not exist")]
    [InlineData("/tmp", "is a directory")]
    [InlineData("no-such-program-on-path", "was not found on PATH")]
    public async Task Bad_programs_give_specific_errors(string program, string expected)
    {
        var e = await Assert.ThrowsAsync<LaunchFailedException>(() => TraceeProcess.LaunchAsync(new LaunchOptions { Program = program }, TestContext.Current.CancellationToken));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_file_without_execute_permission_is_named()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("trapdbg-noexec").FullName, "data.bin");
        File.WriteAllText(file, "not a program");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = await Assert.ThrowsAsync<LaunchFailedException>(() => TraceeProcess.LaunchAsync(new LaunchOptions { Program = file }));
        Assert.Contains("is not executable", e.Message);
    }

    [Fact]
    public async Task Missing_working_directory_is_named()
    {
        var program = Programs.Build(Programs.CrashSource, "crash");
        var e = await Assert.ThrowsAsync<LaunchFailedException>(() =>
            TraceeProcess.LaunchAsync(new LaunchOptions { Program = program, WorkingDirectory = "/nonexistent-dir" }, TestContext.Current.CancellationToken));
        Assert.Contains("/nonexistent-dir", e.Message);
    }
}
