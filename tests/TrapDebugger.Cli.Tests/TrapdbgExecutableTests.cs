using System.Text.Json;
using System.Text.RegularExpressions;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Cli.Usage;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>The trapdbg executable as a person or a script meets it: its version, its help and exit statuses, and what it
/// writes to a terminal (styles only as SGR sequences, none with NO_COLOR, no other control sequence).</summary>
public sealed partial class TrapdbgExecutableTests(ITestOutputHelper output)
{
    private static string ExtensionVersion()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "vscode-extension", "package.json")));
        return manifest.RootElement.GetProperty("version").GetString()!;
    }

    [Fact]
    public void VersionIsTheExtensionsVersion()
    {
        var result = TrapdbgExecutable.Run(["--version"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ExtensionVersion() + "\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("run")]
    [InlineData("symbols")]
    public void HelpListsEveryExitStatus(params string[] command)
    {
        var result = TrapdbgExecutable.Run([.. command, "--help"]);
        Assert.Equal(0, result.ExitCode);
        var text = result.Stdout;
        var section = text.IndexOf("\nExit status:\n", StringComparison.Ordinal);
        Assert.True(section >= 0, text);
        var rows = text[section..].Split('\n').Skip(2).Where(l => l.Length > 0).ToList();
        foreach (var (status, meaning) in ExitStatus.Meanings)
            Assert.Contains(rows, r => r.TrimStart().StartsWith(status, StringComparison.Ordinal) && r.EndsWith(meaning, StringComparison.Ordinal));
        // The codes the commands return are the ones listed.
        foreach (var code in new[] { ExitStatus.Success, ExitStatus.Failure, ExitStatus.Usage, ExitStatus.DebuggerFailure, ExitStatus.CannotExecute, ExitStatus.NotFound })
            Assert.Contains(ExitStatus.Meanings, m => m.Status == code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        output.WriteLine(text[section..]);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("run")]
    [InlineData("lookup", "--no-such-option", "x")]
    public void CommandLineMistakeExitsWithTheUsageStatus(params string[] args)
    {
        var result = TrapdbgExecutable.Run(args);
        output.WriteLine(result.Stderr);
        Assert.Equal(ExitStatus.Usage, result.ExitCode);
        Assert.NotEqual("", result.Stderr.Trim());
    }

    [Fact]
    public void ReportOnATerminalIsStyledWithSgrSequencesOnly()
    {
        var program = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2).Program;
        var result = TrapdbgExecutable.RunOnTerminal(["run", "--", program, "bounds"]);
        output.WriteLine(Visible(result.Stdout));
        Assert.Equal(128 + 4, result.ExitCode);
        Assert.Contains("Bounds check", result.Stdout);
        Assert.Matches(Sgr(), result.Stdout);
        var rest = Sgr().Replace(result.Stdout, "");
        Assert.False(rest.Contains('\e'), Visible(rest));
    }

    [Fact]
    public void NoColorRemovesEveryEscapeSequence()
    {
        var program = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2).Program;
        var result = TrapdbgExecutable.RunOnTerminal(["run", "--", program, "bounds"], new Dictionary<string, string> { ["NO_COLOR"] = "1" });
        output.WriteLine(Visible(result.Stdout));
        Assert.Equal(128 + 4, result.ExitCode);
        Assert.Contains("Bounds check", result.Stdout);
        Assert.DoesNotContain('\e', result.Stdout);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("--help")]
    public void PlainOutputOnATerminalHasNoControlSequence(string option)
    {
        var result = TrapdbgExecutable.RunOnTerminal([option]);
        output.WriteLine(Visible(result.Stdout));
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\e', result.Stdout);
        if (option == "--version") Assert.Equal(ExtensionVersion() + "\r\n", result.Stdout);
    }

    [Fact]
    public async Task CtrlCDetachesFromTheAttachedServiceAndExitsWith130()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        using var service = AttachTests.Start(binary.Program, "60000");
        try
        {
            using var trapdbg = TrapdbgExecutable.Start(["attach", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            var stdout = trapdbg.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var attached = await trapdbg.StandardError.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.StartsWith($"Attached to process {service.Id}", attached);
            Assert.NotEqual(0, AttachTests.TracerPid(service.Id));
            // What a terminal's Ctrl-C sends.
            Assert.Equal(0, Toolchain.Run("/bin/sh", ["-c", $"kill -INT {trapdbg.Id}"]).ExitCode);
            await trapdbg.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(128 + 2, trapdbg.ExitCode);
            Assert.Contains($"Detached from process {service.Id}; it keeps running", await stdout, StringComparison.Ordinal);
            Assert.Equal(0, AttachTests.TracerPid(service.Id));
            Assert.Contains(AttachTests.State(service.Id), "RS");
        }
        finally
        {
            AttachTests.Kill(service.Id);
        }
    }

    private static string Visible(string text) => text.Replace("\e", "\\e", StringComparison.Ordinal);

    // Select Graphic Rendition: ESC [ parameters m (bold, dim, colours, reset).
    [GeneratedRegex(@"\e\[[0-9;]*m")]
    private static partial Regex Sgr();
}
