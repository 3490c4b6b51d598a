using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TrapDebugger.Cli.Commands;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Remote.Client;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>The agent reached as users reach it: through a real OpenSSH server started for the test (its own host key,
/// a key authorized for the test's own user, a free loopback port), and a service in a "container" made with
/// <c>unshare --pid --mount --fork</c> whose binary lies at a path this side cannot see.</summary>
public sealed class RemoteAcceptanceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ThroughSshTheMergedTrapBreakpointsSteppingVariablesAndAttachWorkAsLocally()
    {
        await using var ssh = await SshServer.StartAsync();
        var remote = ssh.AgentCommand();

        var trapBinary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2);
        var local = await CliRun.RunAsync(true, trapBinary.Program, "bounds");
        var overSsh = await RemoteAgentTests.RunRemoteAsync(remote, trapBinary.Program, "bounds");
        Assert.Equal(local.Status, overSsh.Status);
        Assert.Equal("merged-trap", overSsh.Json.GetProperty("stop").Str("kind"));
        RemoteAgentTests.AssertSameStop(local.Json.GetProperty("stop"), overSsh.Json.GetProperty("stop"));

        var walkBinary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O0);
        var localWalk = await RemoteAgentTests.WalkOnAsync(null, walkBinary.Program);
        var sshWalk = await RemoteAgentTests.WalkOnAsync(remote, walkBinary.Program);
        Assert.Equal(localWalk, sshWalk);

        var service = Fixtures.Build("service", BuildVariant.Clang22O2);
        await AttachDetachLeavesServiceAsync(remote, service.Program);
    }

    /// <summary>Attaches through <paramref name="remote"/> with <c>trapdbg attach</c>, interrupts it (it detaches), and checks
    /// the service runs on untraced with every code byte as before.</summary>
    private static async Task AttachDetachLeavesServiceAsync(string remote, string program)
    {
        using var service = AttachTests.Start(program, "60000");
        try
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            await AttachDetachLeavesProcessAsync(remote, service.Id, service.Id);
        }
        finally
        {
            AttachTests.Kill(service.Id);
        }
    }

    /// <summary>Attaches through <paramref name="remote"/> to <paramref name="pid"/> (the pid the agent knows it by), interrupts
    /// it, and checks that the process (<paramref name="hostPid"/> here) runs on untraced with every code byte as before.</summary>
    private static async Task AttachDetachLeavesProcessAsync(string remote, int pid, int hostPid)
    {
        var before = RemoteAgentTests.CodeBytes(hostPid);
        using var interrupt = new CancellationTokenSource();
        var output = new StringWriter();
        var error = new AttachTests.SynchronizedWriter();
        var attach = AttachCommand.AttachAsync(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), false, output, error, false, interrupt.Token, remoteCommand: remote);
        await AttachTests.WaitForAsync(() => error.Text.Contains("Attached", StringComparison.Ordinal) || attach.IsCompleted);
        Assert.False(attach.IsCompleted, error.Text);
        Assert.NotEqual(0, AttachTests.TracerPid(hostPid));
        await interrupt.CancelAsync();
        var status = await attach.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.True(status == 128 + 2, $"status {status}: {error.Text}");
        await AttachTests.WaitForAsync(() => AttachTests.TracerPid(hostPid) == 0);
        Assert.Contains(AttachTests.State(hostPid), "RS");
        Assert.Equal(before, RemoteAgentTests.CodeBytes(hostPid));
    }

    [Fact]
    public async Task AnAgentInsideTheContainerLaunchesWalksAndAttachesWithFilesOnlyTheContainerSees()
    {
        var trapBinary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O2);
        var walkBinary = Fixtures.Build("verbose_trap_multi", BuildVariant.Clang22O0);
        var service = Fixtures.Build("service", BuildVariant.Clang22O2);
        var hidden = Directory.CreateTempSubdirectory("trapdbg-container-").FullName;
        var cache = Directory.CreateTempSubdirectory("trapdbg-cache-").FullName;
        string Inside(string name) => Path.Combine(hidden, name);
        // The container: its own PID namespace (with its own /proc) and mount namespace, whose tmpfs holds the programs at
        // paths this side cannot see; its first process is the service.
        var script = $"mount -t tmpfs none '{hidden}' && cp '{trapBinary.Program}' '{Inside("trap")}' && cp '{walkBinary.Program}' '{Inside("walk")}' " +
            $"&& cp '{service.Program}' '{Inside("service")}' && exec '{Inside("service")}' 600000";
        using var container = Process.Start(new ProcessStartInfo("unshare", ["--pid", "--mount", "--fork", "--mount-proc", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            int hostPid = 0;
            await AttachTests.WaitForAsync(() => (hostPid = FindByProgram(Inside("service"))) != 0 || container.HasExited);
            // stderr is read only on failure: reading it otherwise would wait for the container to end.
            if (hostPid == 0)
                Assert.Fail("unshare failed: " + container.StandardError.ReadToEnd());
            Assert.False(File.Exists(Inside("trap")));
            // The agent joins the container's namespaces, as docker exec -i CONTAINER trapdbg agent --stdio does.
            var remote = string.Join(' ', new[] { "nsenter", "--target", hostPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--pid", "--mount" }
                .Concat(AgentProcess.Trapdbg()).Select(AgentProcess.Quote)) + " agent --stdio";

            var ps = new StringWriter();
            Assert.Equal(0, await PsCommand.ListAsync(remote, true, ps, new StringWriter(), TestContext.Current.CancellationToken));
            var first = JsonDocument.Parse(ps.ToString()).RootElement.EnumerateArray().Single(r => r.Int("pid") == 1);
            Assert.Equal(Inside("service"), first.Str("program"));

            var local = await CliRun.RunAsync(true, trapBinary.Program, "bounds");
            var inContainer = await RemoteAgentTests.RunRemoteAsync(remote, Inside("trap"), "bounds");
            Assert.Equal(local.Status, inContainer.Status);
            Assert.Equal("merged-trap", inContainer.Json.GetProperty("stop").Str("kind"));
            RemoteAgentTests.AssertSameStop(local.Json.GetProperty("stop"), inContainer.Json.GetProperty("stop"));

            // The walk reads the program's file from the agent (no file here has its path), by build-id into the cache;
            // a second session reads nothing again.
            var localWalk = await RemoteAgentTests.WalkOnAsync(null, walkBinary.Program);
            Assert.Equal(localWalk, await RemoteAgentTests.WalkOnAsync(remote, Inside("walk"), cache));
            var cached = Directory.EnumerateFiles(Path.Combine(cache, "build-id"), "*-walk", SearchOption.AllDirectories).Single();
            Assert.Equal(await File.ReadAllBytesAsync(walkBinary.Program, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(cached, TestContext.Current.CancellationToken));
            var fetched = File.GetLastWriteTimeUtc(cached);
            Assert.Equal(localWalk, await RemoteAgentTests.WalkOnAsync(remote, Inside("walk"), cache));
            Assert.Equal(fetched, File.GetLastWriteTimeUtc(cached));

            // The service is process 1 in there: attached and detached by that pid, it runs on with its code as before.
            await AttachDetachLeavesProcessAsync(remote, 1, hostPid);
        }
        finally
        {
            AgentProcess.Kill(container);
            foreach (var dir in new[] { hidden, cache })
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    [Fact]
    public async Task AServiceInAnotherPidAndMountNamespaceIsAttachedByHostPidAndDiagnosedFromItsOwnFiles()
    {
        var binary = Fixtures.Build("service", BuildVariant.Clang22O2);
        var hidden = Directory.CreateTempSubdirectory("trapdbg-container-").FullName;
        var trapFile = Path.Combine(Path.GetTempPath(), $"trapdbg-container-trap-{Environment.ProcessId}");
        File.Delete(trapFile);
        var inside = Path.Combine(hidden, "service");
        // The binary is copied onto a tmpfs mounted only inside the new mount namespace: this side sees an empty directory.
        var script = $"mount -t tmpfs none '{hidden}' && cp '{binary.Program}' '{inside}' && exec '{inside}' 600000 --trap-file '{trapFile}'";
        using var unshare = Process.Start(new ProcessStartInfo("unshare", ["--pid", "--mount", "--fork", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            int pid = 0;
            await AttachTests.WaitForAsync(() => (pid = FindByProgram(inside)) != 0 || unshare.HasExited);
            // stderr is read only on failure: reading it otherwise would wait for the service to end.
            if (pid == 0)
                Assert.Fail("unshare failed: " + unshare.StandardError.ReadToEnd());
            Assert.False(File.Exists(inside));

            var ps = new StringWriter();
            Assert.Equal(0, await PsCommand.ListAsync(AgentProcess.StdioCommand(), true, ps, new StringWriter(), TestContext.Current.CancellationToken));
            var row = JsonDocument.Parse(ps.ToString()).RootElement.EnumerateArray().Single(r => r.Int("pid") == pid);
            Assert.Equal(1, row.Int("namespacePid"));

            await RemoteAgentTests.AttachReportsServiceTrapAsync(pid, trapFile, binary);
        }
        finally
        {
            AgentProcess.Kill(unshare);
            File.Delete(trapFile);
            try
            {
                Directory.Delete(hidden);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FindByProgram(string program)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                if (new FileInfo($"/proc/{pid}/exe").LinkTarget == program)
                    return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return 0;
    }

    /// <summary>An OpenSSH server on a free loopback port, run as the test's own user with its own host key and a key
    /// authorized for the test; the client side is the real ssh.</summary>
    private sealed class SshServer : IAsyncDisposable
    {
        private readonly Process sshd;
        private readonly string dir;
        private readonly int port;

        private SshServer(Process sshd, string dir, int port)
        {
            this.sshd = sshd;
            this.dir = dir;
            this.port = port;
        }

        public static async Task<SshServer> StartAsync()
        {
            Assert.True(File.Exists("/usr/sbin/sshd"), "openssh-server is not installed (scripts/bootstrap installs it)");
            var dir = Directory.CreateTempSubdirectory("trapdbg-sshd-").FullName;
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "host_key"));
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "client_key"));
            File.Copy(Path.Combine(dir, "client_key.pub"), Path.Combine(dir, "authorized_keys"));
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            File.WriteAllText(Path.Combine(dir, "sshd_config"), $"""
                Port {port}
                ListenAddress 127.0.0.1
                HostKey {dir}/host_key
                PidFile {dir}/sshd.pid
                AuthorizedKeysFile {dir}/authorized_keys
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                PermitRootLogin prohibit-password

                """);
            // Privilege separation wants this directory when sshd starts as root.
            if (Environment.UserName == "root")
                Directory.CreateDirectory("/run/sshd");
            var sshd = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", Path.Combine(dir, "sshd_config")])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                try
                {
                    using var c = new TcpClient();
                    await c.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !sshd.HasExited)
                {
                    await Task.Delay(50);
                }
            }
            // stderr is read only once sshd has exited: reading it while sshd runs would wait for sshd to end.
            if (sshd.HasExited)
                Assert.Fail("sshd exited: " + sshd.StandardError.ReadToEnd());
            return new SshServer(sshd, dir, port);
        }

        /// <summary>The <c>--remote</c> command: ssh to the server, which runs this build's agent on stdio.</summary>
        public string AgentCommand()
        {
            var trapdbg = AgentProcess.Trapdbg().Select(w => w == "dotnet" ? Which("dotnet") : w);
            var dotnetRoot = Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? Path.GetDirectoryName(Which("dotnet"))!;
            var remote = $"env DOTNET_ROOT={AgentProcess.Quote(dotnetRoot)} " + string.Join(' ', trapdbg.Select(AgentProcess.Quote)) + " agent --stdio";
            string[] ssh =
            [
                "ssh", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", Path.Combine(dir, "client_key"),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                "127.0.0.1", remote,
            ];
            return string.Join(' ', ssh.Select(AgentProcess.Quote));
        }

        private static string Which(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).Where(File.Exists).Select(p => new FileInfo(p).ResolveLinkTarget(true)?.FullName ?? p).First();

        private static void Run(string program, params string[] args)
        {
            using var p = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{program} failed: {p.StandardError.ReadToEnd()}");
        }

        public ValueTask DisposeAsync()
        {
            AgentProcess.Kill(sshd);
            sshd.Dispose();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
            return ValueTask.CompletedTask;
        }
    }
}
