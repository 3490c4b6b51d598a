using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg run --json</c> on the assert, null-pointer, UBSan and libc++ fixtures: the message and the landing line,
/// found in the fixture source by the text of the statement that stops the program.</summary>
public sealed class OtherStopTests
{
    private const int SIGILL = 4, SIGABRT = 6, SIGSEGV = 11;

    private static readonly string[] AllCompilers = ["clang22-O0", "clang22-O2", "clang19-O0", "clang19-O2", "gcc-O0", "gcc-O2"];

    public static TheoryData<string, string, string, string> Assertions()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var v in AllCompilers)
        {
            data.Add(v, "100", "", "hdr->length <= MAX_PAYLOAD");
            data.Add(v, "16", "0x1234", "hdr->magic == 0x5452");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Assertions))]
    public async Task FailedAssertShowsItsTextAndLine(string variant, string length, string magic, string condition)
    {
        var binary = Fixtures.Build("assert_fail", RunReportTests.Variant(variant));
        string[] args = magic.Length > 0 ? [length, magic] : [length];
        var result = await CliRun.RunAsync(true, binary.Program, args);
        Assert.True(result.Status == 128 + SIGABRT, $"status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("assert", stop.Str("kind"));
        Assert.Contains(condition, stop.Str("message"), StringComparison.Ordinal);
        AssertLandsOn(stop, binary.Sources[0], $"assert({condition}");
    }

    public static TheoryData<string> Compilers() => [.. AllCompilers];

    [Theory]
    [MemberData(nameof(Compilers))]
    public async Task NullFieldReadShowsTheOffsetAndLine(string variant)
    {
        var binary = Fixtures.Build("null_field", RunReportTests.Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, "mallory");
        Assert.Equal(128 + SIGSEGV, result.Status);
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("null-read", stop.Str("kind"));
        var fault = stop.GetProperty("fault");
        Assert.Equal("0x8", fault.Str("address"));
        Assert.Equal("nullPage", fault.Str("addressClass"));
        AssertLandsOn(stop, binary.Sources[0], "return u->uid;");
    }

    public static TheoryData<string, string, string, string, string> UbsanChecks()
    {
        var data = new TheoryData<string, string, string, string, string>();
        (string Op, string A, string B, string Function)[] checks =
        [
            ("add", "2147483647", "1", "int calc_add("),
            ("sub", "-2147483648", "1", "int calc_sub("),
            ("mul", "65536", "65536", "int calc_mul("),
            ("index", "0", "12", "int recall("),
            ("shl", "1", "40", "int calc_shl("),
            ("div", "7", "0", "int calc_div("),
        ];
        foreach (var (fixture, variants) in new[] { ("ubsan_trap", new[] { "clang22-O0", "clang22-O2", "clang19-O0", "clang19-O2" }), ("ubsan_trap_reasons", new[] { "clang22-O0", "clang22-O2" }) })
        {
            foreach (var v in variants)
            {
                foreach (var c in checks) data.Add(fixture, v, $"{c.Op} {c.A} {c.B}", c.Function, c.Op);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(UbsanChecks))]
    public async Task UbsanTrapNamesTheCheckAndTheLine(string fixture, string variant, string input, string function, string op)
    {
        _ = op;
        var binary = Fixtures.Build(fixture, RunReportTests.Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, input.Split(' '));
        Assert.True(result.Status == 128 + SIGILL, $"status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("ubsan", stop.Str("kind"));
        Assert.Equal("Undefined Behavior Sanitizer", stop.Str("category"));
        Assert.False(string.IsNullOrEmpty(stop.Str("message")));
        AssertLandsOn(stop, binary.Sources[0], function);
    }

    public static TheoryData<string, string, string> LibcxxChecks()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var v in new[] { "clang22-O0", "clang22-O2" })
        {
            data.Add(v, "vector 10", "return readings_[i].value;");
            data.Add(v, "span 10", "return window[i].value;");
            data.Add(v, "front", "return empty.front().value;");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LibcxxChecks))]
    public async Task LibcxxHardeningLandsOnTheUserLine(string variantName, string input, string statement)
    {
        // At -O2 the span's constructor check (`count == 0 || ptr != nullptr`, two branches) and its index check share one
        // ud2 without message frames: the index check that fired must win and its message come from the libc++ macro.
        var variant = RunReportTests.Variant(variantName);
        var binary = Fixtures.Build("libcxx_hardened", variant);
        var result = await CliRun.RunAsync(true, binary.Program, input.Split(' '));
        Assert.True(result.Status == 128 + SIGILL, $"{variant}: status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("libc++", stop.Str("category"));
        Assert.False(string.IsNullOrEmpty(stop.Str("message")));
        var expected = input switch
        {
            "vector 10" => "vector[] index out of bounds",
            "span 10" => "span<T>::operator[](index): index out of range",
            _ => "front() called on an empty vector",
        };
        Assert.Contains(expected, stop.Str("message"));
        AssertLandsOn(stop, binary.Sources[0], statement);
    }

    private static void AssertLandsOn(System.Text.Json.JsonElement stop, string source, string text)
    {
        var landing = stop.GetProperty("landing");
        Assert.Equal(Path.GetFileName(source), Path.GetFileName(landing.Str("file")));
        Assert.Equal(FixtureSource.LineContaining(source, text), landing.Int("line"));
    }
}
