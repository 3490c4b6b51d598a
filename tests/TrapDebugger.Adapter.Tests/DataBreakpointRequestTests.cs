using System.Text.Json.Nodes;

namespace TrapDebugger.Adapter.Tests;

/// <summary>The data breakpoint requests before any process exists: what they answer and which sentence says why.
/// (The requests on a live process are driven end to end in tests/dap/e2e/data-breakpoints.test.mjs.)</summary>
public sealed class DataBreakpointRequestTests
{
    [Fact]
    public async Task Info_without_a_stopped_process_has_no_data_id_and_says_why()
    {
        await using var client = new InMemoryDapClient();
        var (response, _) = await client.RequestAsync("dataBreakpointInfo", """{"name":"counter"}""");
        Assert.True((bool)response["success"]!);
        var body = response["body"]!.AsObject();
        Assert.True(body.ContainsKey("dataId"));
        Assert.Null(body["dataId"]);
        Assert.Equal("data breakpoints are set while the process is stopped; pause it first", (string?)body["description"]);
    }

    [Theory]
    [InlineData("""{"name":""}""", "dataBreakpointInfo: 'name' is empty; give a variable name, an expression or an address.")]
    [InlineData("""{"name":"0x1000","asAddress":true,"bytes":0}""", "dataBreakpointInfo: 'bytes' must be a positive number of bytes.")]
    public async Task Info_with_bad_arguments_is_an_error_in_one_sentence(string arguments, string error)
    {
        await using var client = new InMemoryDapClient();
        var (response, _) = await client.RequestAsync("dataBreakpointInfo", arguments);
        Assert.False((bool)response["success"]!);
        Assert.Equal(error, (string?)response["message"]);
    }

    [Fact]
    public async Task Set_without_a_process_answers_each_breakpoint_in_order_with_its_reason()
    {
        await using var client = new InMemoryDapClient();
        var (response, _) = await client.RequestAsync("setDataBreakpoints", """
            {"breakpoints":[
              {"dataId":"0x404028/4/counter"},
              {"dataId":"not an id"},
              {"dataId":"0x404028/4/counter","accessType":"read"},
              {"dataId":"0x404029/4/odd"},
              {"dataId":"0x404028/4/counter","accessType":"execute"}
            ]}
            """);
        Assert.True((bool)response["success"]!);
        var answers = response["body"]!["breakpoints"]!.AsArray().Select(b => b!.AsObject()).ToList();
        Assert.Equal(5, answers.Count);
        Assert.All(answers, a => Assert.False((bool)a["verified"]!));
        Assert.Equal(5, answers.Select(a => (int)a["id"]!).Distinct().Count());
        Assert.Equal(
        [
            "there is no process; watch counter once the program has stopped",
            "'not an id' is not a data id from dataBreakpointInfo",
            "x86 debug registers cannot trap reads alone; use the readWrite access type",
            // An id that names an unaligned range is not one this adapter hands out.
            "'0x404029/4/odd' is not a data id from dataBreakpointInfo",
            "'execute' is not an access type; use write or readWrite",
        ], answers.Select(a => (string?)a["message"]));
    }

    [Fact]
    public async Task Set_with_nothing_and_no_process_answers_nothing()
    {
        await using var client = new InMemoryDapClient();
        var (response, _) = await client.RequestAsync("setDataBreakpoints", """{"breakpoints":[]}""");
        Assert.True((bool)response["success"]!);
        Assert.Empty(response["body"]!["breakpoints"]!.AsArray());
    }
}
