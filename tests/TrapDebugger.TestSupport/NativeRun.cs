namespace TrapDebugger.TestSupport;

/// <summary>Runs a program without a debugger and reports how it ended, telling a fatal signal from an exit code.</summary>
public static class NativeRun
{
    /// <summary>Runs <paramref name="program"/> and returns its exit code, or the signal that killed it.</summary>
    /// <remarks>The shell reports a death by signal as status 128 + signal; fixtures never exit with a status above
    /// 128 on their own, so that status is read as the signal.</remarks>
    public static ExpectedEnd Run(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var script = "ulimit -c 0; \"$0\" \"$@\" >/dev/null 2>&1; s=$?; kill -l $s >/dev/null 2>&1 && [ $s -gt 128 ] && echo SIGNAL $((s-128)) || echo EXIT $s";
        var r = Toolchain.Run("/bin/sh", ["-c", script, program, .. args], timeout: timeout);
        var line = r.Stdout.Trim().Split('\n').Last().Split(' ');
        return line[0] == "SIGNAL" ? ExpectedEnd.Killed(int.Parse(line[1])) : ExpectedEnd.Exit(int.Parse(line[1]));
    }
}
