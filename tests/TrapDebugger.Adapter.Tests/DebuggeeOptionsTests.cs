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
}
