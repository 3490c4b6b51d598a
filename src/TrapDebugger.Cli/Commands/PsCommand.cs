using System.CommandLine;
using System.Text.Json;
using TrapDebugger.Cli.Remote;
using TrapDebugger.Native.Proc;
using TrapDebugger.Remote.Client;
using TrapDebugger.Targets;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg ps [--remote CMD | --remote-address HOST:PORT --token-file FILE] [--json]</c>: the processes a debugger
/// could attach to, here or where the agent runs, with the pid a process has inside its container beside its host pid.</summary>
public static class PsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var remote = new Option<string?>("--remote") { Description = RemoteConnector.OptionDescription };
        var address = new Option<string?>("--remote-address") { Description = "Instead of --remote: the HOST:PORT of an agent started with 'trapdbg agent --listen'." };
        var tokenFile = new Option<string?>("--token-file") { Description = "With --remote-address: the file whose first line is the agent's token." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of {pid, namespacePid, program, commandLine}." };
        var command = new Command("ps", "List the processes that can be attached to (pid, pid inside a container, program).")
        {
            remote, address, tokenFile, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(address) is not { } agentAddress)
                return await ListAsync(parse.GetValue(remote), parse.GetValue(json), Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(remote) is not null || parse.GetValue(tokenFile) is not { } file)
            {
                await Console.Error.WriteLineAsync("trapdbg ps: --remote-address needs --token-file, and cannot be given with --remote.").ConfigureAwait(false);
                return Usage.ExitStatus.Usage;
            }
            return await ListAsync(new RemoteEndpoint { Address = agentAddress, TokenFile = file }, parse.GetValue(json), Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Prints the processes of this machine, or of the agent <paramref name="remoteCommand"/> starts; returns the exit status.</summary>
    public static Task<int> ListAsync(string? remoteCommand, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        ListAsync(() => RemoteConnector.ConnectAsync(remoteCommand, cancellationToken), json, output, error, cancellationToken);

    /// <summary>Prints the processes of the agent at <paramref name="endpoint"/>; returns the exit status.</summary>
    public static async Task<int> ListAsync(RemoteEndpoint endpoint, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        await ListAsync(async () => await RemotePlatform.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false), json, output, error, cancellationToken).ConfigureAwait(false);

    private static async Task<int> ListAsync(Func<Task<ITargetPlatform>> connect, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        List<(int Pid, int? NamespacePid, string? Program, string CommandLine)> rows;
        ITargetPlatform platform;
        try
        {
            platform = await connect().ConfigureAwait(false);
        }
        catch (TargetException e)
        {
            await error.WriteLineAsync($"trapdbg ps: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        try
        {
            if (platform is RemotePlatform r)
                rows = [.. (await r.ListProcessDetailsAsync(cancellationToken).ConfigureAwait(false)).Select(p => (p.ProcessId, p.NamespaceProcessId, p.ExecutablePath, p.CommandLine ?? ""))];
            else
                rows = [.. (await platform.ListProcessesAsync(cancellationToken).ConfigureAwait(false)).Select(p => (p.ProcessId, p.NamespaceProcessId, p.ExecutablePath, string.Join(' ', ProcFs.CommandLine(p.ProcessId))))];
        }
        catch (TargetException e)
        {
            await error.WriteLineAsync($"trapdbg ps: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            await RemoteConnector.ReleaseAsync(platform).ConfigureAwait(false);
        }
        rows.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        if (json)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
            {
                writer.WriteStartArray();
                foreach (var row in rows)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("pid", row.Pid);
                    if (row.NamespacePid is { } ns) writer.WriteNumber("namespacePid", ns);
                    if (row.Program is { } program) writer.WriteString("program", program);
                    writer.WriteString("commandLine", row.CommandLine);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray())).ConfigureAwait(false);
            return 0;
        }
        await output.WriteLineAsync($"{"PID",8} {"NSPID",8}  PROGRAM / COMMAND").ConfigureAwait(false);
        foreach (var row in rows)
        {
            var what = row.CommandLine.Length > 0 ? row.CommandLine : row.Program ?? "";
            await output.WriteLineAsync($"{row.Pid,8} {(row.NamespacePid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"),8}  {what}").ConfigureAwait(false);
        }
        return 0;
    }
}
