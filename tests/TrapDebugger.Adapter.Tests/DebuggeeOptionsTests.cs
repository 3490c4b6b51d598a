using System.Text.Json;
using TrapDebugger.Adapter.Session;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Adapter.Tests;

public sealed class DebuggeeOptionsTests
{
    private static DebuggeeOptions Launch(string json) =>
        DebuggeeOptions.ForLaunch(JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.LaunchRequestArguments)!);

    private static DebuggeeOptions Attach(string json) =>
        DebuggeeOptions.ForAttach(JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.AttachRequestArguments)!);

    [Theory]
    [InlineData("""{}""", "launch: property 'program' needs to be specified.")]
    [InlineData("""{"program":"  "}""", "launch: property 'program' needs to be specified.")]
    [InlineData("""{"program":"/nonexistent/trapdbg-test"}""", "launch: program '/nonexistent/trapdbg-test' does not exist.")]
    [InlineData("""{"program":"/tmp"}""", "launch: program '/tmp' is a directory, not an executable file.")]
    [InlineData("""{"program":"/bin/true","cwd":"relative/dir"}""", "launch: property 'cwd' must be an absolute path, not 'relative/dir'.")]
    [InlineData("""{"program":"/bin/true","cwd":"/nonexistent/dir"}""", "launch: cwd '/nonexistent/dir' is not an existing directory.")]
    [InlineData("""{"program":"/bin/true","env":{"A=B":"1"}}""", "launch: environment variable name 'A=B' is not valid (it must be non-empty, without '=').")]
    [InlineData("""{"program":"/bin/true","env":{"":"1"}}""", "launch: environment variable name '' is not valid (it must be non-empty, without '=').")]
    public void Launch_faults_name_the_attribute(string json, string error)
    {
        var ex = Assert.Throws<RequestFailedException>(() => Launch(json));
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Launch_refuses_a_file_without_execute_permission()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var ex = Assert.Throws<RequestFailedException>(() => Launch($$"""{"program":"{{file}}"}"""));
            Assert.Equal($"launch: program '{file}' is not executable (chmod +x it).", ex.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""{"coreFile":""}""", "launch: property 'coreFile' must name a core file.")]
    [InlineData("""{"coreFile":"/nonexistent/core"}""", "launch: coreFile '/nonexistent/core' does not exist.")]
    [InlineData("""{"coreFile":"/tmp"}""", "launch: coreFile '/tmp' is a directory, not a core file.")]
    [InlineData("""{"coreFile":"/etc/hostname","program":"/nonexistent/prog"}""", "launch: program '/nonexistent/prog' does not exist.")]
    [InlineData("""{"coreFile":"/etc/hostname","cwd":"relative"}""", "launch: property 'cwd' must be an absolute path, not 'relative'.")]
    public void Core_launch_faults_name_the_attribute(string json, string error)
    {
        var ex = Assert.Throws<RequestFailedException>(() => Launch(json));
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void Core_launch_needs_no_program_and_no_execute_permission_and_shows_its_stop()
    {
        var core = Launch("""{"coreFile":"hostname","cwd":"/etc","sourceMap":{"/build":"/src"},"stopCommands":["bt"]}""");
        Assert.Equal(StartMethod.Core, core.StartMethod);
        Assert.Equal("/etc/hostname", core.CoreFile);
        Assert.Null(core.Program);
        Assert.True(core.StopOnEntry);
        Assert.Equal(["bt"], core.Startup.Stop);
        // The program need only be a file: a core's program is read, never run.
        Assert.Equal("/etc/passwd", Launch("""{"coreFile":"/etc/hostname","program":"/etc/passwd"}""").Program);
    }

    [Theory]
    [InlineData("""{}""", "attach: property 'pid' needs to be specified (or 'program' with 'waitFor': true).")]
    [InlineData("""{"program":"/bin/sleep"}""", "attach: property 'pid' needs to be specified (or 'program' with 'waitFor': true).")]
    [InlineData("""{"pid":0}""", "attach: property 'pid' must be a positive process id, not 0.")]
    [InlineData("""{"pid":"-3"}""", "attach: property 'pid' must be a positive process id, not -3.")]
    [InlineData("""{"waitFor":true}""", "attach: property 'program' needs to be specified with 'waitFor'.")]
    [InlineData("""{"waitFor":true,"program":"svc","pid":5}""", "attach: properties 'pid' and 'waitFor' cannot be used together.")]
    public void Attach_faults_name_the_attribute(string json, string error)
    {
        var ex = Assert.Throws<RequestFailedException>(() => Attach(json));
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void Launch_resolves_a_relative_program_against_cwd_and_defaults_like_lldb()
    {
        var options = Launch("""{"program":"true","cwd":"/bin","args":["a b"],"env":{"X":"1","Y":null},"sourceMap":[["/build","/src"]]}""");
        Assert.Equal(StartMethod.Launch, options.StartMethod);
        Assert.Equal("/bin/true", options.Program);
        Assert.Equal("/bin", options.Cwd);
        Assert.Equal(["a b"], options.Args);
        Assert.Equal("1", options.Environment["X"]);
        Assert.Null(options.Environment["Y"]);
        Assert.True(options.DisableAslr);
        Assert.False(options.StopOnEntry);
        Assert.Equal([new SourceMapEntry("/build", "/src")], options.SourceMap.Entries);
    }

    [Fact]
    public void Attach_accepts_the_pid_of_a_live_process_given_as_a_string()
    {
        int pid = Environment.ProcessId;
        var options = Attach($$"""{"pid":"{{pid}}"}""");
        Assert.Equal(StartMethod.Attach, options.StartMethod);
        Assert.Equal(pid, options.ProcessId);
    }

    [Fact]
    public void Attach_with_waitFor_keeps_the_program_name()
    {
        var options = Attach("""{"program":"my-service","waitFor":true}""");
        Assert.True(options.WaitFor);
        Assert.Equal("my-service", options.Program);
        Assert.Null(options.ProcessId);
    }

    [Theory]
    [InlineData("""{"program":"/bin/true"}""", ConsoleKind.InternalConsole)]
    [InlineData("""{"program":"/bin/true","console":"integratedTerminal"}""", ConsoleKind.IntegratedTerminal)]
    [InlineData("""{"program":"/bin/true","console":"externalTerminal","terminal":"console"}""", ConsoleKind.ExternalTerminal)]
    [InlineData("""{"program":"/bin/true","terminal":"integrated"}""", ConsoleKind.IntegratedTerminal)]
    [InlineData("""{"program":"/bin/true","terminal":"console"}""", ConsoleKind.InternalConsole)]
    [InlineData("""{"program":"/bin/true","runInTerminal":true}""", ConsoleKind.IntegratedTerminal)]
    public void The_console_is_named_as_lldb_dap_cpptools_or_CodeLLDB_name_it(string json, ConsoleKind expected) =>
        Assert.Equal(expected, Launch(json).Console);

    [Theory]
    [InlineData("""{"program":"/bin/true","cwd":"/tmp","stdio":"/dev/null"}""", "/dev/null", "/dev/null", "/dev/null")]
    [InlineData("""{"program":"/bin/true","cwd":"/tmp","stdio":[null,"out.txt"]}""", null, "/tmp/out.txt", null)]
    [InlineData("""{"program":"/bin/true","cwd":"/tmp","stdio":{"stderr":"/tmp/err.txt"}}""", null, null, "/tmp/err.txt")]
    [InlineData("""{"program":"/bin/true"}""", null, null, null)]
    public void Stdio_takes_one_path_a_list_or_named_streams(string json, string? stdin, string? stdout, string? stderr) =>
        Assert.Equal([stdin, stdout, stderr], Launch(json).Stdio);

    [Theory]
    [InlineData("""{"program":"/bin/true","console":"debug"}""", "launch: property 'console' must be 'internalConsole', 'integratedTerminal' or 'externalTerminal', not 'debug'.")]
    [InlineData("""{"program":"/bin/true","terminal":"tty"}""", "launch: property 'terminal' must be 'console', 'integrated' or 'external', not 'tty'.")]
    [InlineData("""{"program":"/bin/true","stdio":["a","b","c","d"]}""", "launch: 'stdio' lists 4 paths; give at most three (stdin, stdout, stderr).")]
    [InlineData("""{"program":"/bin/true","stdio":{"log":"x"}}""", "launch: 'stdio' has an unknown stream 'log' (use stdin, stdout and stderr).")]
    [InlineData("""{"program":"/bin/true","stdio":[1]}""", "launch: 'stdio' entry 0 (stdin) must be a file path or null.")]
    [InlineData("""{"program":"/bin/true","stdio":true}""", "launch: property 'stdio' must be a path, an array of paths or an object with stdin, stdout and stderr.")]
    [InlineData("""{"program":"/bin/true","stdio":["/nonexistent/in.txt"]}""", "launch: the stdin file '/nonexistent/in.txt' given in 'stdio' does not exist.")]
    [InlineData("""{"program":"/bin/true","stdio":[null,"/nonexistent/dir/out.txt"]}""", "launch: the stdout file '/nonexistent/dir/out.txt' given in 'stdio' cannot be created: '/nonexistent/dir' is not an existing directory.")]
    [InlineData("""{"program":"/bin/true","envFile":"/nonexistent/vars.env"}""", "launch: envFile '/nonexistent/vars.env' does not exist.")]
    [InlineData("""{"program":"/bin/true","relativePathBase":"src"}""", "launch: property 'relativePathBase' must be an absolute path, not 'src'.")]
    public void Program_io_faults_name_the_attribute(string json, string error)
    {
        var ex = Assert.Throws<RequestFailedException>(() => Launch(json));
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void The_env_file_comes_first_and_env_overrides_or_removes_its_variables()
    {
        var dir = Directory.CreateTempSubdirectory("trapdbg-envfile").FullName;
        File.WriteAllText(Path.Combine(dir, ".env"), "KEPT=file\nREPLACED=file\nREMOVED=file\n");
        var options = Launch($$$"""{"program":"/bin/true","cwd":"{{{dir}}}","envFile":".env","env":{"REPLACED":"env","REMOVED":null,"ADDED":"env"}}""");
        Assert.Equal(new Dictionary<string, string?> { ["KEPT"] = "file", ["REPLACED"] = "env", ["REMOVED"] = null, ["ADDED"] = "env" }, options.Environment);
        File.WriteAllText(Path.Combine(dir, "bad.env"), "OK=1\n\n  oops\n");
        var ex = Assert.Throws<RequestFailedException>(() => Launch($$"""{"program":"/bin/true","cwd":"{{dir}}","envFile":"bad.env"}"""));
        Assert.Equal($"launch: envFile '{dir}/bad.env' line 3: expected NAME=value, not 'oops'.", ex.Message);
    }

    [Fact]
    public void Startup_commands_the_prefix_and_the_relative_base_are_kept_for_launch_and_attach()
    {
        var launch = Launch("""{"program":"/bin/true","cwd":"/tmp","initCommands":["help"],"preRunCommands":["info sharedlibrary"],"stopCommands":["bt 3"],"commandEscapePrefix":"-exec "}""");
        Assert.Equal(["help"], launch.Startup.Init);
        Assert.Equal(["info sharedlibrary"], launch.Startup.PreRun);
        Assert.Equal(["bt 3"], launch.Startup.Stop);
        Assert.Equal("-exec ", launch.CommandPrefix);
        Assert.Equal("/tmp", launch.RelativePathBase);
        var attach = Attach("""{"pid":1,"stopCommands":["bt"],"relativePathBase":"/srv/src"}""");
        Assert.Equal(["bt"], attach.Startup.Stop);
        Assert.Equal("`", attach.CommandPrefix);
        Assert.Equal("/srv/src", attach.RelativePathBase);
    }
}
