using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Native;
using TrapDebugger.Targets;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests.Targets;

/// <summary>A target that serves its modules' files only by byte ranges (as the remote agent will) gives the engine what
/// local files give it: breakpoints resolve, and a stop's frames have the same functions and lines.</summary>
public sealed class ModuleFilesByRangeTests
{
    [Fact]
    public async Task A_stop_has_the_same_frames_when_module_files_are_read_by_byte_ranges()
    {
        var program = Fixtures.Build("cxx_program", BuildVariant.Clang22O0).Program;
        var ranged = new RangedFilesPlatform();
        var local = await FramesAtBreakpointAsync(LocalPlatform.Instance, program);
        var byRange = await FramesAtBreakpointAsync(ranged, program);

        // The same machine frames, unwound through the program's and libc's .eh_frame; libc's separate debug file is found
        // only next to a local file, so only the program's own frames are compared by name and line.
        Assert.Equal(local.Count, byRange.Count);
        Assert.Equal(local.Where(f => f.InProgram), byRange.Where(f => f.InProgram));
        Assert.Equal([("warehouse::walk", 85, true), ("main", 113, true)], byRange.Where(f => f.InProgram));
        Assert.Contains(program, ranged.FilesOpened);
        Assert.True(ranged.BytesRead > 0, "no byte of a module file was read through the target");
    }

    private static async Task<List<(string Name, int Line, bool InProgram)>> FramesAtBreakpointAsync(ITargetPlatform platform, string program)
    {
        await using var process = await TargetProcess.LaunchAsync(platform, new LaunchOptions
        {
            Program = program,
            Arguments = ["1"],
            StandardOutput = StdioMode.Null,
            StandardError = StdioMode.Null,
        });
        var stops = new TaskCompletionSource<StopInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Event += e =>
        {
            if (e is StoppedEvent s) stops.TrySetResult(s.Stop);
            else if (e is ExitedEvent x) stops.TrySetException(new InvalidOperationException(x.Description));
        };
        var set = await process.SetSourceBreakpointsAsync("cxx_program.cpp", [new SourceBreakpointSpec(85)]);
        Assert.True(set[0].IsVerified, set[0].Message);
        await process.ContinueAsync();
        var stop = await stops.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StopCause.Breakpoint, stop.Cause);
        var (frames, _) = await process.GetStackTraceAsync(stop.ThreadId);
        return frames.Select(f => (f.Name, (int)(f.Location?.Line ?? 0), f.Location?.File?.EndsWith("cxx_program.cpp", StringComparison.Ordinal) == true)).ToList();
    }
}
