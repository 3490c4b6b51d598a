using TrapDebugger.Engine.Breakpoints;
using TrapDebugger.Engine.Events;
using TrapDebugger.Engine.Process;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>A thread inside the kernel's vDSO (clock_gettime) unwinds with the vDSO's own CFI, read from process memory,
/// names the vDSO frame from the vDSO's symbols, and agrees with lldb-22.</summary>
public sealed class VdsoUnwindTests
{
    private const string Source = """
        #include <stdio.h>
        #include <time.h>

        int main(void) {
            struct timespec ts;
            long sum = 0;
            for (int i = 0; i < 200000000; i++) {
                clock_gettime(CLOCK_MONOTONIC, &ts);
                sum += ts.tv_nsec & 1;
            }
            printf("%ld\n", sum);
            return 0;
        }
        """;

    private const string VdsoFunction = "__vdso_clock_gettime";

    [Fact]
    public async Task EveryInstructionOfClockGettimeUnwindsToMainAsLldbDoes()
    {
        var program = Fixtures.CompileSource(Source, "vdso_clock.c", BuildVariant.Clang22O0);
        var reference = LldbReference.Run(program, [], VdsoFunction, 0);
        Assert.True(reference.Count >= 3, $"lldb-22 gave {reference.Count} frames");
        Assert.Equal("[vdso]", reference[0].Module);

        await using var run = await RecordedProcess.LaunchAsync(program);
        var vdso = Assert.Single(run.Process.Target.Modules, m => m.Name == "[vdso]");
        // The loader's link map names the vDSO too (linux-vdso.so.1, no such file): it is the same module, listed once.
        Assert.DoesNotContain(run.Process.Target.Modules, m => m != vdso && m.LoadBias == vdso.LoadBias);
        var symbol = vdso.Elf!.Symbols.FindByName(VdsoFunction).First();
        var set = await run.Process.SetInstructionBreakpointsAsync([new InstructionBreakpointSpec(vdso.ToRuntimeAddress(symbol.Value))]);
        Assert.True(set[0].IsVerified, set[0].Message);
        var stop = await run.ContinueToStopAsync();
        Assert.Equal(StopCause.InstructionBreakpoint, stop.Cause);
        await run.Process.SetInstructionBreakpointsAsync([]);

        // The entry, the pushes of the prologue, the body: the CFA moves at each and the frame pointer is not set up
        // until the second instruction, so a frame-pointer guess would lose the caller somewhere on the way.
        int checkedInstructions = 0;
        for (int step = 0; step < 24; step++)
        {
            var (frames, _) = await run.Process.GetStackTraceAsync(stop.ThreadId, 0, 64);
            if (frames[0].Module?.Name != "[vdso]") break;
            Assert.Equal(reference[0].Function, LldbReference.FunctionName(frames[0].Name));
            Assert.Equal(UnwindMethod.CallFrameInfo, frames[1].Physical.Method);
            for (int i = 1; i < reference.Count; i++)
            {
                // lldb lists physical frames here (nothing is inlined on this path); compare module and line of each.
                Assert.True(i < frames.Count, $"only {frames.Count} frames at instruction {step}");
                Assert.Equal(reference[i].Module, frames[i].Module?.Name);
                Assert.Equal(reference[i].Line, (int)(frames[i].Location?.Line ?? 0));
            }
            Assert.Contains(frames, f => f.Name == "main" && f.Location?.Line == 8);
            checkedInstructions++;
            await run.Process.StepAsync(stop.ThreadId, StepKind.Instruction);
            stop = await run.NextStopAsync();
        }
        Assert.True(checkedInstructions >= 4, $"only {checkedInstructions} instructions were inside the vDSO");
    }
}
