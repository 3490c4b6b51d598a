using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using TrapDebugger.Adapter.Transport;
using TrapDebugger.Remote.Agent;
using TrapDebugger.Remote.Wire;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg agent</c>: serves this machine's processes to a debugger elsewhere, on stdin/stdout (through ssh,
/// docker exec, kubectl exec) or on a token-guarded TCP port.</summary>
public static class AgentCommand
{
    private const string Warning =
        "The agent gives whoever reaches it full control of your processes (read and write their memory, run code in " +
        "them). Prefer --stdio through ssh (ssh host trapdbg agent --stdio); with --listen, keep the port on loopback and " +
        "reach it through an ssh tunnel.";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var stdio = new Option<bool>("--stdio") { Description = "Speak the agent protocol on stdin/stdout (for ssh, docker exec, kubectl exec)." };
        var listen = new Option<string?>("--listen") { Description = "Serve TCP on ADDRESS:PORT (default address 127.0.0.1; port 0 picks a free one); clients must present the token." };
        var tokenFile = new Option<string?>("--token-file") { Description = "With --listen: the file whose first line is the token (generated and printed once when omitted)." };
        var command = new Command("agent", "Serve this machine's processes to a trapdbg debugger elsewhere. " + Warning)
        {
            stdio, listen, tokenFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var log = Console.Error;
            bool useStdio = parse.GetValue(stdio);
            var address = parse.GetValue(listen);
            if (useStdio == (address is not null))
            {
                await log.WriteLineAsync("trapdbg agent: give exactly one of --stdio and --listen ADDRESS:PORT.").ConfigureAwait(false);
                return 2;
            }
            if (useStdio)
            {
                if (parse.GetValue(tokenFile) is not null)
                {
                    await log.WriteLineAsync("trapdbg agent: --token-file only applies with --listen.").ConfigureAwait(false);
                    return 2;
                }
                await AgentHost.RunAsync(Console.OpenStandardInput(), Console.OpenStandardOutput(), new AgentOptions { Log = log, Platform = Running.Platforms.Local() }, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            return await ListenAsync(address!, parse.GetValue(tokenFile), log, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ListenAsync(string addressText, string? tokenFile, TextWriter log, CancellationToken cancellationToken)
    {
        if (!TryParseEndpoint(addressText, out var endpoint))
        {
            await log.WriteLineAsync($"trapdbg agent: --listen '{addressText}' is not ADDRESS:PORT (e.g. 127.0.0.1:4712).").ConfigureAwait(false);
            return 2;
        }
        string token;
        bool generated = tokenFile is null;
        if (tokenFile is not null)
        {
            try
            {
                token = File.ReadLines(tokenFile).FirstOrDefault()?.Trim() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await log.WriteLineAsync($"trapdbg agent: cannot read the token file '{tokenFile}': {e.Message}").ConfigureAwait(false);
                return 2;
            }
            if (token.Length < 16)
            {
                await log.WriteLineAsync($"trapdbg agent: the token in '{tokenFile}' must be at least 16 characters.").ConfigureAwait(false);
                return 2;
            }
        }
        else
            token = ClientGate.GenerateToken();
        if (!IPAddress.IsLoopback(endpoint.Address))
            await log.WriteLineAsync($"trapdbg agent: warning: listening on {endpoint.Address}, not loopback: anyone who reaches it with the token controls your processes.").ConfigureAwait(false);
        var listener = new TcpListener(endpoint);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            await log.WriteLineAsync($"trapdbg agent: cannot listen on {endpoint}: {e.Message}.").ConfigureAwait(false);
            return 1;
        }
        var bound = (IPEndPoint)listener.LocalEndpoint;
        // Machine-readable lines on stderr: launchers and tests read the port and the token from here.
        await log.WriteLineAsync($"trapdbg agent: listening on {bound.Address}:{bound.Port}").ConfigureAwait(false);
        if (generated)
            await log.WriteLineAsync($"trapdbg agent: token {token}").ConfigureAwait(false);
        await log.FlushAsync(cancellationToken).ConfigureAwait(false);
        var gate = new ClientGate(new ClientGateOptions(), log);
        try
        {
            await gate.ServeAsync(listener, async connection =>
            {
                if (!await AgentPreamble.AcceptAsync(connection.Pipe.Input, connection.Closed).ConfigureAwait(false))
                {
                    await log.WriteLineAsync($"trapdbg agent: closed the connection from {connection.Remote}: it does not speak the agent protocol.").ConfigureAwait(false);
                    return;
                }
                await AgentHost.RunAsync(connection.Pipe.Input, connection.Pipe.Output, new AgentOptions
                {
                    Token = token,
                    TokenMatches = ClientGate.TokenMatches,
                    Admit = connection.Admit,
                    Log = log,
                    Platform = Running.Platforms.Local(),
                }, connection.Closed).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            listener.Stop();
        }
        return 0;
    }

    private static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        if (int.TryParse(text, out var onlyPort) && onlyPort is >= 0 and <= 65535)
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, onlyPort);
            return true;
        }
        return IPEndPoint.TryParse(text, out var parsed) && parsed.Port is >= 0 and <= 65535 && text.Contains(':') && (endpoint = parsed) is not null;
    }
}
