using System.Buffers.Binary;
using System.Text;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>SIGABRT: glibc's __abort_msg and the frame that called __assert_fail or abort.</summary>
public sealed class AbortTests
{
    private const ulong Global = 0x7000, Block = 0x9000;

    private sealed class Globals(ulong? address) : IGlobalSymbols
    {
        public ulong? AddressOf(string name) => name == "__abort_msg" ? address : null;
    }

    private static StopContext Context(string? message, IReadOnlyList<BacktraceFrame> frames)
    {
        var memory = new SparseMemory();
        var pointer = new byte[8];
        if (message is not null)
        {
            var text = Encoding.UTF8.GetBytes(message);
            var block = new byte[4096];
            BinaryPrimitives.WriteUInt32LittleEndian(block, 4096); // size of the mapped block, as glibc records it
            text.CopyTo(block, 4);
            memory.Add(Block, block);
            BinaryPrimitives.WriteUInt64LittleEndian(pointer, Block);
        }
        memory.Add(Global, pointer);
        return new StopContext
        {
            Registers = new RegisterState { Rip = 0x5000 },
            Signal = new SignalInfo(Signals.SIGABRT, -6, 0, 4242, 0),
            ProcessId = 4242,
            Memory = memory,
            Globals = new Globals(Global),
            Backtrace = frames,
        };
    }

    private static readonly BacktraceFrame[] AssertFrames =
    [
        new(0x5000, "__pthread_kill_implementation", null),
        new(0x5100, "raise", null),
        new(0x5200, "abort", null),
        new(0x5300, "__assert_fail_base", null),
        new(0x5400, "__assert_fail", null),
        new(0x1234, "check_config", new SourceLocation("/src/config.c", 42, 5)),
        new(0x1300, "main", new SourceLocation("/src/main.c", 10, 3)),
    ];

    [Fact]
    public void AssertionMessageIsReadAndTheCallerOfAssertFailIsTheLanding()
    {
        var d = StopAnalysis.Diagnose(Context("prog: /src/config.c:42: check_config: Assertion `count > 0' failed.\n", AssertFrames));
        Assert.Equal(StopKind.Assertion, d.Kind);
        Assert.Equal("Assertion failed: count > 0", d.Description);
        Assert.Equal("prog: /src/config.c:42: check_config: Assertion `count > 0' failed.", d.Message);
        Assert.Equal(5, d.Landing?.FrameIndex);
        Assert.Equal("check_config", d.Landing?.Function);
        Assert.Equal(42, d.Landing?.Location?.Line);
    }

    [Fact]
    public void AssertionWithoutBacktraceLandsOnTheNamedLine()
    {
        var d = StopAnalysis.Diagnose(Context("a.out: t.c:7: main: Assertion `x == 1 && \"why\"' failed.", []));
        Assert.Equal(StopKind.Assertion, d.Kind);
        Assert.Equal("Assertion failed: x == 1 && \"why\"", d.Description);
        Assert.Equal(new SourceLocation("t.c", 7), d.Landing?.Location);
    }

    [Fact]
    public void PlainAbortNamesItsCaller()
    {
        BacktraceFrame[] frames = [new(0x5000, "__pthread_kill_implementation", null), new(0x5100, "raise", null),
            new(0x5200, "abort", null), new(0x1234, "fail_hard", new SourceLocation("/src/x.c", 9, 1))];
        var d = StopAnalysis.Diagnose(Context(null, frames));
        Assert.Equal(StopKind.Abort, d.Kind);
        Assert.Equal("abort() called from fail_hard at /src/x.c:9:1", d.Description);
        Assert.Equal(3, d.Landing?.FrameIndex);
    }

    [Fact]
    public void GlibcInternalMessagesAreShown()
    {
        var d = StopAnalysis.Diagnose(Context("malloc(): corrupted top size\n", [new(0x5200, "abort", null), new(0x1, "malloc_printerr", null)]));
        Assert.Equal(StopKind.Abort, d.Kind);
        Assert.Equal("Aborted: malloc(): corrupted top size", d.Description);
    }

    [Fact]
    public void CorruptSizeIsBounded()
    {
        var memory = new SparseMemory();
        var block = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(block, uint.MaxValue);
        Encoding.ASCII.GetBytes("boom").CopyTo(block, 4);
        var pointer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(pointer, Block);
        memory.Add(Block, block).Add(Global, pointer);
        var d = StopAnalysis.Diagnose(new StopContext
        {
            Registers = new RegisterState(), Signal = new SignalInfo(Signals.SIGABRT, -6), Memory = memory, Globals = new Globals(Global),
        });
        Assert.Equal("Aborted: boom", d.Description);
    }
}
