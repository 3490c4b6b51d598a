using TrapDebugger.Adapter.Handlers.DebugConsole;
using TrapDebugger.Adapter.Handlers.Evaluate;

namespace TrapDebugger.Adapter.Tests;

public sealed class ConsoleCommandsTests
{
    [Theory]
    [InlineData("bt", "bt", "bt", null, "")]
    [InlineData("  backtrace 5 ", "bt", "backtrace", null, "5")]
    [InlineData("x/8gx $rsp", "x", "x", "8gx", "$rsp")]
    [InlineData("p/x flags & 4", "print", "p", "x", "flags & 4")]
    [InlineData("print value", "print", "print", null, "value")]
    [InlineData("ptype struct node", "ptype", "ptype", null, "struct node")]
    [InlineData("info registers rip rsp", "info registers", "info registers", null, "rip rsp")]
    [InlineData("i r", "info registers", "i r", null, "")]
    [InlineData("thread apply all bt", "thread apply all bt", "thread apply all bt", null, "")]
    [InlineData("frame 3", "frame", "frame", null, "3")]
    [InlineData("disas /r main", "disassemble", "disas", null, "/r main")]
    [InlineData("disassemble/r", "disassemble", "disassemble", "r", "")]
    public void Lines_parse_into_command_format_and_arguments(string text, string name, string spelling, string? format, string arguments)
    {
        var parsed = ConsoleCommands.Parse(text);
        Assert.NotNull(parsed);
        Assert.Equal(name, parsed.Value.Command.Name);
        Assert.Equal(new CommandLine(spelling, format, arguments), parsed.Value.Line);
    }

    [Theory]
    [InlineData("btx")]
    [InlineData("info")]
    [InlineData("printf")]
    [InlineData("frob 1")]
    [InlineData("count + 1")]
    public void Words_that_only_start_like_a_command_are_not_commands(string text) => Assert.Null(ConsoleCommands.Parse(text));

    [Theory]
    [InlineData("`bt", "`", "bt")]
    [InlineData("  `x/4xw p", "`", "x/4xw p")]
    [InlineData("count", "`", null)]
    [InlineData("bt", "", "bt")]
    [InlineData("-exec bt", "-exec ", "bt")]
    public void Only_lines_with_the_prefix_are_commands(string line, string prefix, string? command) =>
        Assert.Equal(command, EvaluateHandler.CommandText(line, prefix));

    [Fact]
    public void Every_command_has_a_usage_a_summary_and_distinct_spellings()
    {
        var spellings = ConsoleCommands.All.SelectMany(c => c.Spellings).ToList();
        Assert.Equal(spellings.Count, spellings.Distinct().Count());
        Assert.All(ConsoleCommands.All, c =>
        {
            Assert.Contains(c.Spellings, spelling => c.Usage.StartsWith(spelling.Split(' ')[0], StringComparison.Ordinal));
            Assert.EndsWith(".", c.Summary, StringComparison.Ordinal);
        });
        Assert.Equal(["info reg", "info registers", "info shared", "info sharedlibrary", "info threads"],
            ConsoleCommands.Complete("info").Select(c => c.Spelling).Order(StringComparer.Ordinal));
    }
}
