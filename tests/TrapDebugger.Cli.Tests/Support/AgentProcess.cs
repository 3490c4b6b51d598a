using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TrapDebugger.Cli.Tests.Support;

/// <summary>The real <c>trapdbg</c> built next to the tests, run as the agent (or as a client) in a process of its own.</summary>
internal static partial class AgentProcess
{
    /// <summary>The argv that runs this build's trapdbg.</summary>
    public static IReadOnlyList<string> Trapdbg()
    {
        var host = Path.Combine(AppContext.BaseDirectory, "trapdbg");
        return File.Exists(host) ? [host] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "trapdbg.dll")];
    }

    /// <summary>The command line (for <c>--remote</c>) that starts the agent on stdio.</summary>
    public static string StdioCommand() => string.Join(' ', Trapdbg().Select(Quote)) + " agent --stdio";

    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Starts <c>trapdbg</c> with <paramref name="args"/>, its stderr read line by line into <paramref name="stderr"/>.</summary>
    public static Process Start(IEnumerable<string> args, List<string> stderr)
    {
        var argv = Trapdbg().Concat(args).ToList();
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in argv.Skip(1)) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
                lock (stderr) stderr.Add(line);
        };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts <c>trapdbg agent --listen 127.0.0.1:0</c> and reads the port and token it prints.</summary>
    public static async Task<(Process Agent, int Port, string Token, List<string> Log)> ListenAsync()
    {
        var log = new List<string>();
        var agent = Start(["agent", "--listen", "127.0.0.1:0"], log);
        int port = 0;
        string? token = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (port == 0 || token is null)
        {
            if (DateTime.UtcNow > deadline || agent.HasExited)
                throw new InvalidOperationException("the agent did not start: " + string.Join('\n', log));
            lock (log)
            {
                foreach (var line in log)
                {
                    if (ListeningLine().Match(line) is { Success: true } m) port = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (TokenLine().Match(line) is { Success: true } t) token = t.Groups[1].Value;
                }
            }
            await Task.Delay(20);
        }
        return (agent, port, token, log);
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"token ([0-9a-f]{64})")]
    private static partial Regex TokenLine();

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }
}
