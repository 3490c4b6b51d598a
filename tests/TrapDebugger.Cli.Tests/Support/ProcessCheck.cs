using System.Diagnostics;
using System.Text.Json;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests.Support;

/// <summary>tests/fixtures/tools/process_check: how a debugger left a running process (its tracer, stopped threads, debug
/// registers on every thread, and every executable mapping compared byte for byte with its file).</summary>
internal sealed record ProcessCheck(int Threads, int Traced, int Stopped, int DebugRegisters, int Mappings, long Mismatches, string FirstMismatch)
{
    private static readonly Lazy<string> Program = new(() =>
        Fixtures.CompileSource(File.ReadAllText(Path.Combine(Repository.FixtureSources, "tools", "process_check.c")), "process_check.c", BuildVariant.Clang22O0));

    /// <summary>True when nothing of a debugger is left: untraced, no thread stopped, no debug register, every code byte as in its file.</summary>
    public bool IsClean => Traced == 0 && Stopped == 0 && DebugRegisters == 0 && Mismatches == 0 && Mappings > 0;

    /// <summary>Checks process <paramref name="pid"/>.</summary>
    public static ProcessCheck Of(int pid)
    {
        var (_, output) = Run(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        return new ProcessCheck(r.GetProperty("threads").GetInt32(), r.GetProperty("traced").GetInt32(), r.GetProperty("stopped").GetInt32(),
            r.GetProperty("debugRegisters").GetInt32(), r.GetProperty("mappings").GetInt32(), r.GetProperty("mismatches").GetInt64(),
            r.GetProperty("firstMismatch").GetString() ?? "");
    }

    private static (int Status, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo(Program.Value) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode is 0 or 1, $"process_check {string.Join(' ', args)} failed ({p.ExitCode}): {error}");
        return (p.ExitCode, output);
    }
}
