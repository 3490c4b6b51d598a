using System.Text;
using TrapDebugger.Protocol.Messages;
using TrapDebugger.Protocol.Serialization;

namespace TrapDebugger.Protocol.Tests;

public sealed class DecoderTests
{
    private static DecodedMessage Decode(string json) => MessageDecoder.Decode(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("{\"seq\":1,\"type\":\"request\",\"command\":\"x\"", null, null, "The message is not valid JSON")]
    [InlineData("[1,2]", null, null, "The message must be a JSON object.")]
    [InlineData("{\"seq\":1,\"command\":\"threads\"}", 1, "threads", "The message has no string 'type' property.")]
    [InlineData("{\"type\":\"request\",\"command\":\"threads\"}", null, "threads", "The message has no integer 'seq' property.")]
    [InlineData("{\"seq\":\"1\",\"type\":\"request\",\"command\":\"threads\"}", null, "threads", "The message has no integer 'seq' property.")]
    [InlineData("{\"seq\":5,\"type\":\"request\"}", 5, null, "The request has no string 'command' property.")]
    [InlineData("{\"seq\":5,\"type\":\"request\",\"command\":\"next\",\"arguments\":[1]}", 5, "next", "The arguments of 'next' must be a JSON object.")]
    [InlineData("{\"seq\":5,\"type\":\"event\",\"event\":\"stopped\"}", 5, null, "A client may send requests and responses, not 'event' messages.")]
    public void A_malformed_envelope_gets_one_sentence_and_keeps_what_could_be_read(string json, int? seq, string? command, string error)
    {
        var decoded = Decode(json);
        Assert.Null(decoded.Request);
        Assert.StartsWith(error, decoded.Error);
        Assert.Equal(seq, decoded.Seq);
        Assert.Equal(command, decoded.Command);
    }

    [Theory]
    [InlineData("""{"seq":4,"type":"request","command":"threads","command":"disconnect"}""", 4, null, "command")]
    [InlineData("""{"seq":4,"seq":5,"type":"request","command":"threads"}""", null, "threads", "seq")]
    [InlineData("""{"seq":4,"type":"request","command":"launch","arguments":{"program":"/a","program":"/b"}}""", 4, "launch", "arguments.program")]
    [InlineData("""{"seq":4,"type":"request","command":"setBreakpoints","arguments":{"breakpoints":[{"line":1,"line":2}]}}""", 4, "setBreakpoints", "arguments.breakpoints[0].line")]
    public void A_property_given_twice_is_an_error_naming_it_and_the_request_is_not_run(string json, int? seq, string? command, string property)
    {
        var decoded = Decode(json);
        Assert.Null(decoded.Request);
        Assert.Equal($"The message has the property '{property}' more than once; it was not run.", decoded.Error);
        Assert.Equal(seq, decoded.Seq);
        Assert.Equal(command, decoded.Command);
    }

    [Fact]
    public void A_null_where_an_argument_is_required_names_the_argument()
    {
        var request = Decode("""{"seq":1,"type":"request","command":"setExceptionBreakpoints","arguments":{"filters":null}}""").Request!;
        var ex = Assert.Throws<ProtocolArgumentException>(() => ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.SetExceptionBreakpointsArguments));
        Assert.Equal("setExceptionBreakpoints: argument 'filters' must not be null.", ex.Message);
    }

    [Fact]
    public void Client_text_in_an_error_is_quoted_as_a_short_prefix()
    {
        string longName = new('x', 5000);
        Assert.Equal($"'{new string('x', 48)}… (5000 characters)'", $"'{ClientText.Short(longName)}'");
        Assert.Equal("short", ClientText.Short("short"));
        var sentence = ClientText.Bound($"Unknown request '{longName}'.");
        Assert.Equal($"Unknown request '{new string('x', 48)}… (5000 characters)'.", sentence);
        Assert.True(ClientText.Bound(new string('y', 10_000)).Length <= ClientText.MaxSentence);
        var decoded = Decode($$"""{"seq":1,"type":"{{longName}}"}""");
        Assert.True(decoded.Error!.Length < 200, decoded.Error);
    }

    [Fact]
    public void A_request_decodes_with_its_arguments()
    {
        var decoded = Decode("""{"seq":9,"type":"request","command":"next","arguments":{"threadId":3}}""");
        Assert.Null(decoded.Error);
        Assert.Equal(9, decoded.Request!.Seq);
        Assert.Equal("next", decoded.Request.Command);
        var args = ArgumentDecoder.Decode(decoded.Request, ProtocolJsonContext.Default.NextArguments);
        Assert.Equal(3, args.ThreadId);
    }

    [Fact]
    public void Absent_or_null_arguments_decode_as_an_empty_object()
    {
        var request = Decode("""{"seq":1,"type":"request","command":"disconnect","arguments":null}""").Request!;
        var args = ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.DisconnectArguments);
        Assert.Null(args.TerminateDebuggee);
    }

    [Theory]
    [InlineData("next", """{"threadId":"main"}""", "next: argument 'threadId' must be a number.")]
    [InlineData("disconnect", """{"terminateDebuggee":"yes"}""", "disconnect: argument 'terminateDebuggee' must be true or false.")]
    [InlineData("setBreakpoints", """{"source":{"path":"/a.c"},"breakpoints":[{"line":"7"}]}""", "setBreakpoints: argument 'breakpoints[0].line' must be a number.")]
    [InlineData("setBreakpoints", """{"source":"/a.c"}""", "setBreakpoints: argument 'source' must be an object.")]
    [InlineData("launch", """{"args":"-v"}""", "launch: argument 'args' must be an array.")]
    [InlineData("launch", """{"program":42}""", "launch: argument 'program' must be a string.")]
    [InlineData("attach", """{"pid":"abc"}""", "attach: argument 'pid' must be a number.")]
    [InlineData("launch", """{"sourceMap":"x"}""", "launch: argument 'sourceMap' is invalid: sourceMap must be an object of path prefixes or an array of [from, to] pairs.")]
    public void Wrong_argument_types_name_the_argument_and_the_expected_type(string command, string arguments, string error)
    {
        var request = Decode($$"""{"seq":1,"type":"request","command":"{{command}}","arguments":{{arguments}}}""").Request!;
        var ex = Assert.Throws<ProtocolArgumentException>(() => command switch
        {
            "next" => (object)ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.NextArguments),
            "disconnect" => ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.DisconnectArguments),
            "setBreakpoints" => ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.SetBreakpointsArguments),
            "launch" => ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.LaunchRequestArguments),
            "attach" => ArgumentDecoder.Decode(request, ProtocolJsonContext.Default.AttachRequestArguments),
            _ => throw new InvalidOperationException(command),
        });
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void Deeply_nested_json_is_refused_not_recursed()
    {
        string json = "{\"seq\":1,\"type\":\"request\",\"command\":\"x\",\"arguments\":" + new string('[', 10000) + new string(']', 10000) + "}";
        Assert.StartsWith("The message is not valid JSON", Decode(json).Error);
    }

    [Fact]
    public void A_client_response_is_decoded_as_a_response()
    {
        var decoded = Decode("""{"seq":3,"type":"response","request_seq":1,"success":true,"command":"runInTerminal"}""");
        Assert.Equal(1, decoded.Response!.RequestSeq);
        Assert.Null(decoded.Error);
    }
}
