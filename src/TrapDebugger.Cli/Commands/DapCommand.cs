using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Adapter.Transport;
using TrapDebugger.Cli.Running;
using TrapDebugger.Cli.Usage;

namespace TrapDebugger.Cli.Commands;

/// <summary><c>trapdbg dap</c>: speaks the Debug Adapter Protocol on stdio, or on a loopback TCP port with an auth token.</summary>
public static class DapCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var port = new Option<int?>("--port")
        {
            Description = "Listen on this TCP port instead of using stdin/stdout (0 picks a free port).",
        };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on with --port; anything but loopback exposes the debugger to the network.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var authToken = new Option<string?>("--auth-token")
        {
            Description = "Token clients must send as 'trapdbgAuthToken' in 'initialize' (with --port; generated when omitted).",
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int p && (p < 0 || p > 65535))
                result.AddError("--port must be between 0 and 65535.");
        });

        var command = new Command("dap", "Speak the Debug Adapter Protocol (for VS Code and other DAP clients).")
        {
            port, host, authToken,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var log = Console.Error;
            if (parse.GetValue(port) is not int listenPort)
            {
                if (parse.GetResult(authToken) is not null || parse.GetResult(host) is { Implicit: false })
                {
                    log.WriteLine("trapdbg dap: --host and --auth-token only apply with --port.");
                    return ExitStatus.Usage;
                }
                await DapServer.RunAsync(Console.OpenStandardInput(), Console.OpenStandardOutput(), new SessionOptions { Log = log, Platform = Platforms.Local })
                    .ConfigureAwait(false);
                return ExitStatus.Success;
            }
            return await ListenAsync(parse.GetValue(host)!, listenPort, parse.GetValue(authToken), log, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ListenAsync(string hostText, int port, string? token, TextWriter log, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(hostText, out var address))
        {
            log.WriteLine($"trapdbg dap: --host '{hostText}' is not an IP address.");
            return ExitStatus.Usage;
        }
        if (token is { Length: 0 })
        {
            log.WriteLine("trapdbg dap: --auth-token must not be empty.");
            return ExitStatus.Usage;
        }
        if (!DapServer.IsLoopback(address))
            log.WriteLine($"trapdbg dap: warning: listening on {address}, not loopback: anyone who can reach this address and knows the token can run programs as you.");

        bool generated = token is null;
        token ??= DapServer.GenerateAuthToken();
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            log.WriteLine($"trapdbg dap: cannot listen on {address}:{port}: {ex.Message}.");
            return ExitStatus.Failure;
        }
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        // Machine-readable lines on stderr: launchers (and tests) read the port and token from here.
        log.WriteLine($"trapdbg dap: listening on {endpoint.Address}:{endpoint.Port}");
        if (generated)
            log.WriteLine($"trapdbg dap: auth token {token}");
        log.Flush();
        try
        {
            await DapServer.ServeAsync(listener, new SessionOptions { AuthToken = token, Log = log, Platform = Platforms.Local }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            listener.Stop();
        }
        return ExitStatus.Success;
    }
}
