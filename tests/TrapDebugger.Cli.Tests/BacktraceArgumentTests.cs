using System.Text.RegularExpressions;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary>The report's backtrace shows each frame's arguments, in the JSON and in the text, with the values lldb-22's
/// <c>bt</c> shows for the same crash (pointers aside: the two runs place the stack and heap differently).</summary>
public sealed partial class BacktraceArgumentTests
{
    [GeneratedRegex(@"^\s*\*?\s*frame #(\d+): 0x[0-9a-f]+ [^`]+`(.+?)\((.*)\)(?: const)?(?: at | \+ |$)")]
    private static partial Regex LldbFrame();

    [Theory]
    [InlineData("cxx_program", "clang22-O0", "5 trap")]
    [InlineData("cxx_program", "gcc-O0", "5 trap")]
    [InlineData("verbose_trap_multi", "clang22-O0", "funds")]
    public async Task ArgumentsAgreeWithLldbBacktrace(string fixture, string variant, string input)
    {
        var binary = Fixtures.Build(fixture, RunReportTests.Variant(variant));
        var args = input.Split(' ');
        var lldb = Toolchain.Run(Toolchain.Lldb, ["-b", "-o", "process launch -- " + input, "-k", "bt", "-k", "process kill", binary.Program],
            timeout: TimeSpan.FromMinutes(2)).Stdout;
        var expected = new Dictionary<int, Dictionary<string, string>>();
        foreach (var line in lldb.Split('\n'))
        {
            if (LldbFrame().Match(line) is not { Success: true } m) continue;
            expected[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = Split(m.Groups[3].Value);
        }
        Assert.True(expected.Values.Count(a => a.Count > 0) >= 2, "lldb shows arguments in at least two frames:\n" + lldb);

        var result = await CliRun.RunAsync(true, binary.Program, args);
        var frames = result.Json.GetProperty("thread").Items("frames").ToList();
        int compared = 0;
        foreach (var frame in frames)
        {
            int index = frame.Int("index")!.Value;
            if (!expected.TryGetValue(index, out var want) || want.Count == 0) continue;
            Assert.True(frame.TryGetProperty("arguments", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array,
                $"frame #{index} {frame.Str("function")} has no arguments in the report");
            var mine = list.EnumerateArray().ToDictionary(a => a.Str("name")!, a => a.Str("value")!);
            foreach (var (name, value) in want)
            {
                Assert.True(mine.TryGetValue(name, out var got), $"frame #{index}: lldb shows {name}, the report does not");
                // Addresses differ between the runs; lldb writes a function pointer argument as the function's place.
                if (value.StartsWith("0x", StringComparison.Ordinal) || value.Contains('`', StringComparison.Ordinal)) continue;
                compared++;
                // Both say the value is not available; the wording of the reason differs.
                if (value.StartsWith('<') && got.StartsWith('<')) continue;
                Assert.Equal(value, got);
            }
        }
        Assert.True(compared >= 2, $"only {compared} argument values compared");

        // The text report shows them between the function's parentheses.
        var text = (await CliRun.RunAsync(false, binary.Program, args)).Output;
        var backtrace = text[text.IndexOf("Backtrace", StringComparison.Ordinal)..];
        static bool plain(string v) => !v.StartsWith("0x", StringComparison.Ordinal) && !v.Contains('`', StringComparison.Ordinal) && !v.StartsWith('<');
        var (first, values) = expected.First(e => e.Value.Any(v => plain(v.Value)));
        var shown = values.First(v => plain(v.Value));
        Assert.Contains($"{shown.Key}={shown.Value}", backtrace.Split('\n').First(l => l.Contains($"#{first} ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    // "this=0x…, slot=7, name="a, b"" → name → value (commas inside quotes and brackets do not split).
    private static Dictionary<string, string> Split(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int depth = 0, start = 0;
        bool quoted = false;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ',';
            if (c == '"' && (i == 0 || text[i - 1] != '\\')) quoted = !quoted;
            else if (!quoted && c is '(' or '[' or '{') depth++;
            else if (!quoted && c is ')' or ']' or '}') depth--;
            else if (!quoted && depth == 0 && c == ',')
            {
                var part = text[start..i].Trim();
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0) result[part[..eq]] = part[(eq + 1)..];
                start = i + 1;
            }
        }
        return result;
    }
}
