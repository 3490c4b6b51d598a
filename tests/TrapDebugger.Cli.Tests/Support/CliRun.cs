using System.Text.Json;
using TrapDebugger.Cli.Commands;

namespace TrapDebugger.Cli.Tests.Support;

/// <summary>The outcome of one in-process <c>trapdbg</c> command: its exit status, what it printed, and the JSON when it printed JSON.</summary>
internal sealed record CliResult(int Status, string Output, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;
}

/// <summary>Runs the real command implementations in-process, as <c>trapdbg run</c>, <c>attach</c> and <c>traps</c> do.</summary>
internal static class CliRun
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static Task<CliResult> RunAsync(bool json, string program, params string[] args) => RunUntilAsync(json, program, args, CancellationToken.None);

    /// <summary>Runs as <c>trapdbg run</c> would, with <paramref name="interrupt"/> standing for the user's Ctrl-C.</summary>
    public static async Task<CliResult> RunUntilAsync(bool json, string program, string[] args, CancellationToken interrupt)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await RunCommand.RunAsync(program, args, json, output, error, isTerminal: false, interrupt).WaitAsync(Timeout);
        return new CliResult(status, output.ToString(), error.ToString());
    }

    /// <summary>Runs as <c>trapdbg run [--core-dir DIR]</c> would.</summary>
    public static async Task<CliResult> RunWithCoreDirectoryAsync(bool json, string coreDirectory, string program, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await RunCommand.RunAsync(program, args, json, output, error, isTerminal: false, CancellationToken.None, coreDirectory).WaitAsync(Timeout);
        return new CliResult(status, output.ToString(), error.ToString());
    }

    /// <summary>Runs as <c>trapdbg core CORE [--program PROGRAM]</c> would.</summary>
    public static async Task<CliResult> CoreAsync(bool json, string core, string? program = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await CoreCommand.RunAsync(core, program, json, output, error, isTerminal: false).WaitAsync(Timeout);
        return new CliResult(status, output.ToString(), error.ToString());
    }

    public static CliResult Traps(string binary, bool json)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = TrapsCommand.Run(binary, json, output, error, isTerminal: false);
        return new CliResult(status, output.ToString(), error.ToString());
    }

    public static string? Str(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public static int? Int(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray() : [];
}
