using System.Diagnostics;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests.Support;

/// <summary>Runs the trapdbg executable itself: <c>$TRAPDBG</c> (scripts/test points it at the Native AOT build), else the
/// build beside these tests; either directly or on a pseudo-terminal, as a person at a terminal runs it.</summary>
internal static class TrapdbgExecutable
{
    public static string Path
    {
        get
        {
            if (Environment.GetEnvironmentVariable("TRAPDBG") is { Length: > 0 } given)
            {
                Assert.True(File.Exists(given), $"TRAPDBG={given} does not exist");
                return given;
            }
            var beside = System.IO.Path.Combine(AppContext.BaseDirectory, "trapdbg");
            Assert.True(File.Exists(beside), $"{beside} was not built");
            return beside;
        }
    }

    /// <summary>Runs trapdbg with <paramref name="args"/>, stdout and stderr piped, and <paramref name="environment"/> added.</summary>
    public static ProcessResult Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        return Finish(psi);
    }

    /// <summary>Starts trapdbg with <paramref name="args"/>, stdin, stdout and stderr piped, and SIGINT at its default action
    /// as a terminal's foreground job has it; the caller waits for it.</summary>
    /// <remarks>A suite started in the background by a shell without job control (a CI runner, <c>cmd &amp;</c> in a script)
    /// ignores SIGINT, children inherit that, and .NET leaves a signal ignored at start ignored: Ctrl-C tests would test
    /// nothing. coreutils' <c>env --default-signal</c> resets it and then executes trapdbg in the same process.</remarks>
    public static Process Start(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(Toolchain.Find("env"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add(Path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Path}");
    }

    /// <summary>Runs trapdbg on a pseudo-terminal (util-linux <c>script</c>) with <c>TERM=xterm-256color</c> and
    /// <paramref name="environment"/>; the result's Stdout is every byte written to the terminal.</summary>
    public static ProcessResult RunOnTerminal(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = string.Join(' ', new[] { Path }.Concat(args).Select(Quote));
        var psi = new ProcessStartInfo(Toolchain.Find("script"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        // -q: no "Script started" lines; -e: script exits with the command's status; -c: the command; /dev/null: no typescript file.
        foreach (var a in new[] { "-q", "-e", "-c", command, "/dev/null" }) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment.Remove("NO_COLOR");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        return Finish(psi);
    }

    private static ProcessResult Finish(ProcessStartInfo psi)
    {
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish in 2 minutes");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
