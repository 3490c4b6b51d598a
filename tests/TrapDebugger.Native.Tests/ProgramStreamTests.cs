using System.Text;
using TrapDebugger.Native.Errors;
using TrapDebugger.Native.Launch;

namespace TrapDebugger.Native.Tests;

/// <summary>A launched program's streams sent to files and to a pseudo-terminal, as the adapter's console modes use them.</summary>
public class ProgramStreamTests
{
    private const string TalkerSource = """
        #include <stdio.h>
        #include <unistd.h>
        int main(void) {
            char line[64] = "";
            if (fgets(line, sizeof line, stdin)) printf("read %s", line);
            printf("out tty=%d\n", isatty(1));
            fprintf(stderr, "err tty=%d\n", isatty(2));
            printf("the last line before the crash\n");
            __builtin_trap();
        }
        """;

    [Fact]
    public async Task A_pseudo_terminal_gets_every_line_written_before_a_crash_while_the_program_is_stopped_there()
    {
        var program = Programs.Build(TalkerSource, "talker");
        using var terminal = PseudoTerminal.Open();
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions
        {
            Program = program,
            StandardInput = StdioMode.Null,
            StandardOutput = StdioMode.File,
            StandardOutputPath = terminal.SlavePath,
            StandardError = StdioMode.File,
            StandardErrorPath = terminal.SlavePath,
        });
        Assert.Equal(StopReason.Entry, (await Tracee.NextStop(p)).Reason);
        await p.ContinueAsync();
        var crash = await Tracee.NextStop(p);
        Assert.Equal(StopReason.Signal, crash.Reason);
        Assert.Equal(4, crash.Signal!.Value.Signal); // SIGILL

        // The program is stopped at the trap: one non-blocking read pass finds all of its output, in raw form ("\n", not "\r\n").
        var text = new StringBuilder();
        var buffer = new byte[4096];
        for (int n; (n = terminal.Read(buffer)) > 0;)
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        Assert.Equal("out tty=1\nerr tty=1\nthe last line before the crash\n", text.ToString());
        Assert.Equal(0, terminal.Read(buffer));
        Assert.False(terminal.WaitForOutput(50));
    }

    [Fact]
    public async Task Files_give_stdin_and_take_stdout_and_stderr_a_path_named_twice_is_opened_once()
    {
        var program = Programs.Build(TalkerSource, "talker");
        var dir = Directory.CreateTempSubdirectory("trapdbg-stdio").FullName;
        var input = Path.Combine(dir, "in.txt");
        var output = Path.Combine(dir, "out.txt");
        File.WriteAllText(input, "from a file\n");
        File.WriteAllText(output, "old contents that must go, longer than the new text of the program's output\n");
        await using var p = await TraceeProcess.LaunchAsync(new LaunchOptions
        {
            Program = program,
            StandardInput = StdioMode.File,
            StandardInputPath = input,
            StandardOutput = StdioMode.File,
            StandardOutputPath = output,
            StandardError = StdioMode.File,
            StandardErrorPath = output,
        });
        await Tracee.NextStop(p);
        await p.ContinueAsync();
        Assert.Equal(StopReason.Signal, (await Tracee.NextStop(p)).Reason);
        await p.KillAsync();
        await Tracee.End(p);
        // Both streams share one file offset: neither overwrote the other, and the old contents were truncated away.
        // stdout is a file, so the C library buffers it and the crash loses it; stderr is unbuffered and written at once.
        Assert.Equal("err tty=0\n", File.ReadAllText(output));
    }

    [Fact]
    public async Task A_stdin_file_that_cannot_be_opened_fails_the_launch_naming_it()
    {
        var program = Programs.Build(TalkerSource, "talker");
        var missing = Path.Combine(Path.GetTempPath(), $"trapdbg-missing-{Guid.NewGuid():N}.txt");
        var e = await Assert.ThrowsAsync<LaunchFailedException>(() => TraceeProcess.LaunchAsync(new LaunchOptions
        {
            Program = program,
            StandardInput = StdioMode.File,
            StandardInputPath = missing,
        }, TestContext.Current.CancellationToken));
        Assert.Equal($"cannot open '{missing}' for the program's stdin (No such file or directory); check the path", e.Message);
    }
}
