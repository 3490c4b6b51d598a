using System.Text.Json;
using System.Text.Json.Nodes;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Protocol.Tests;

public sealed class RoundTripTests
{
    [Theory]
    [MemberData(nameof(SpecSamples.All), MemberType = typeof(SpecSamples))]
    public void Sample_survives_deserialize_then_serialize(Type type, string json)
    {
        var typeInfo = ProtocolJsonContext.Default.GetTypeInfo(type);
        Assert.NotNull(typeInfo);
        object? value = JsonSerializer.Deserialize(json, typeInfo);
        Assert.NotNull(value);
        string written = JsonSerializer.Serialize(value, typeInfo);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written)), $"{type.Name}:\n expected {json}\n written  {written}");
    }

    [Fact]
    public void Every_serializable_model_type_has_a_sample()
    {
        var sampled = SpecSamples.All.Select(row => (Type)row.Data.Item1).ToHashSet();
        var model = typeof(ProtocolJsonContext).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.IsClass && !t.IsAbstract && t.Namespace is { } ns
                && (ns.EndsWith(".Messages") || ns.EndsWith(".Requests") || ns.EndsWith(".Events") || ns.EndsWith(".Traps") || ns.EndsWith(".Types"))
                && t.GetConstructor(Type.EmptyTypes) is not null)
            .ToList();
        var missing = model.Where(t => !sampled.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "No sample for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Nulls_are_omitted_and_names_are_camel_case()
    {
        var body = new Events.StoppedEventBody { Reason = "exception", ThreadId = 7, AllThreadsStopped = true };
        string json = JsonSerializer.Serialize(body, ProtocolJsonContext.Default.StoppedEventBody);
        Assert.Equal("""{"reason":"exception","threadId":7,"allThreadsStopped":true}""", json);
    }

    [Fact]
    public void Response_envelope_uses_request_seq_and_carries_type()
    {
        var response = new Messages.Response { Seq = 4, RequestSeq = 3, Command = "threads", Success = true };
        var node = JsonNode.Parse(MessageEncoder.Encode(response))!;
        Assert.Equal("response", (string?)node["type"]);
        Assert.Equal(3, (int?)node["request_seq"]);
        Assert.Null(node["requestSeq"]);
        Assert.Null(node["body"]);
    }

    [Theory]
    [InlineData("""{"pid":1234}""", 1234)]
    [InlineData("""{"pid":"1234"}""", 1234)]
    public void Attach_pid_accepts_a_number_or_a_numeric_string(string json, int pid)
    {
        var args = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.AttachRequestArguments)!;
        Assert.Equal(pid, args.Pid);
    }

    [Fact]
    public void Source_map_accepts_the_lldb_dap_array_of_pairs()
    {
        var args = JsonSerializer.Deserialize("""{"sourceMap":[["/build","/src"],["/b2","/s2"]]}""", ProtocolJsonContext.Default.LaunchRequestArguments)!;
        Assert.Equal([new SourceMapEntry("/build", "/src"), new SourceMapEntry("/b2", "/s2")], args.SourceMap!.Entries);
    }

    [Fact]
    public void Module_id_accepts_a_number()
    {
        var module = JsonSerializer.Deserialize("""{"id":12,"name":"a"}""", ProtocolJsonContext.Default.Module)!;
        Assert.Equal("12", module.Id);
    }

    [Fact]
    public void Unknown_launch_attributes_are_ignored()
    {
        var args = JsonSerializer.Deserialize("""{"type":"trapdbg","request":"launch","name":"Run","program":"/a","__sessionId":"x","internalConsoleOptions":"neverOpen"}""",
            ProtocolJsonContext.Default.LaunchRequestArguments)!;
        Assert.Equal("/a", args.Program);
    }
}
