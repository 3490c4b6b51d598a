using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>A source line whose code is all inlined calls (<c>"bin/" + std::to_string(depth)</c> at -O2) resolves to where
/// those calls begin, as lldb-22 resolves it; a line with neither code nor inlined calls still moves to the next line with
/// code. Locations and the stack at the stop are compared with <c>lldb-22 -b</c>.</summary>
public sealed partial class InlinedCallBreakpointTests
{
    [GeneratedRegex(@"^\s*location = (?<file>[^:]+):(?<line>\d+)(:\d+)?$", RegexOptions.Multiline)]
    private static partial Regex LocationLine();

    [GeneratedRegex(@"^\s*address = \S+\[0x(?<address>[0-9a-f]+)\]$", RegexOptions.Multiline)]
    private static partial Regex AddressLine();

    /// <summary>variant, requested line of cxx_program.cpp, and whether the line has only inlined calls.</summary>
    public static TheoryData<string, int, bool> Lines() => new()
    {
        { "clang22-O2", 85, true },
        { "clang19-O2", 85, true },
        { "clang22-O2", 90, false }, // no code and no inlined call site: moves to line 91
    };

    // lldb's resolved locations of "b file:line" before the program runs: (file address, line).
    private static List<(ulong Address, int Line)> LldbLocations(string program, string file, int line)
    {
        var result = Toolchain.Run(Toolchain.Lldb, ["-b", "-o", $"breakpoint set -f {file} -l {line}", "-o", "breakpoint list -v", program],
            timeout: TimeSpan.FromMinutes(2));
        var lines = LocationLine().Matches(result.Stdout).Select(m => int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture)).ToList();
        var addresses = AddressLine().Matches(result.Stdout).Select(m => ulong.Parse(m.Groups["address"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(lines.Count, addresses.Count);
        return [.. addresses.Zip(lines)];
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task LocationsAgreeWithLldb(string variant, int line, bool inlinedOnly)
    {
        var binary = Fixtures.Build("cxx_program", LldbAgreementTests.Variant(variant));
        var reference = LldbLocations(binary.Program, "cxx_program.cpp", line);
        Assert.NotEmpty(reference);

        await using var run = await RecordedProcess.LaunchAsync(binary.Program, "3");
        var set = await run.Process.SetSourceBreakpointsAsync("cxx_program.cpp", [new SourceBreakpointSpec(line)]);
        var bp = set[0];
        Assert.True(bp.IsVerified, bp.Message);
        Assert.Equal(reference[0].Line, bp.ResolvedLine);
        Assert.Equal(inlinedOnly, bp.ResolvedLine == line);
        Assert.All(bp.Locations, l => Assert.Equal(inlinedOnly, l.IsInlinedCall));
        var mine = bp.Locations.Select(l => l.Module!.ToFileAddress(l.Address)).Order().ToList();
        Assert.Equal(reference.Select(r => r.Address).Order().ToList(), mine);
    }

    [Theory]
    [InlineData("clang22-O2", 85)]
    [InlineData("clang19-O2", 85)]
    public async Task StopAtInlinedCallShowsTheCallerLikeLldb(string variant, int line)
    {
        var binary = Fixtures.Build("cxx_program", LldbAgreementTests.Variant(variant));
        string[] args = ["3"];
        var reference = LldbReference.Run(binary.Program, args, $"cxx_program.cpp:{line}", 0);
        Assert.True(reference.Count >= 2, "lldb printed no backtrace");
        // lldb shows the caller at the call site, not yet inside the inlined function.
        Assert.Equal(line, reference[0].Line);
        Assert.False(reference[0].Inlined);

        await using var run = await RecordedProcess.LaunchAsync(binary.Program, args);
        var set = await run.Process.SetSourceBreakpointsAsync("cxx_program.cpp", [new SourceBreakpointSpec(line)]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.Breakpoint, stop.Cause);
        var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId);
        // The program's own frames: walk (at the call) and main; below them the libc frames both show alike.
        int compared = 0;
        for (int i = 0; i < reference.Count && reference[i].File == "cxx_program.cpp"; i++)
        {
            Assert.True(i < frames.Count, $"lldb has frame #{i} {reference[i].Function}, the engine does not");
            var (want, got) = (reference[i], frames[i]);
            Assert.True(LldbAgreementTests.SameFunction(got.Name, want.Function), $"#{i}: '{got.Name}' != lldb '{want.Function}'");
            Assert.Equal(want.Inlined, got.IsInlined);
            Assert.Equal(want.Line, (int)(got.Location?.Line ?? 0));
            Assert.Equal(want.Pc, got.Pc);
            compared++;
        }
        Assert.True(compared >= 2, $"compared {compared} frames");

        // Stepping over from the call site runs the whole line: the next stop is line 86 in walk, not inside to_string.
        await run.Process.SetSourceBreakpointsAsync("cxx_program.cpp", []);
        await run.Process.StepAsync(stop.ThreadId, StepKind.Over);
        var step = await run.NextStopAsync();
        Assert.Equal(StopCause.Step, step.Cause);
        var (after, _) = await run.Process.GetStackTraceAsync(step.ThreadId, 0, 1);
        Assert.Equal(frames[0].Name, after[0].Name);
        Assert.True(after[0].Location?.Line > (uint)line, $"stepped to line {after[0].Location?.Line}");
    }
}
