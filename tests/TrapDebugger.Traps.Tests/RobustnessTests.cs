using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>Arbitrary code bytes, registers and signals never make the analysis throw: it always returns a diagnosis.</summary>
public sealed class RobustnessTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(15)]
    public void RandomStatesAlwaysGetADiagnosis(int signal)
    {
        var random = new Random(signal * 7919); // fixed seed: the same inputs every run
        for (var round = 0; round < 300; round++)
        {
            var code = new byte[random.Next(0, 64)];
            random.NextBytes(code);
            // Sprinkle trap opcodes so the trap paths run on random surroundings.
            if (code.Length > 4 && round % 3 == 0) { code[^2] = 0x0f; code[^1] = 0x0b; }
            var data = new byte[256];
            random.NextBytes(data);
            var start = 0x400000UL;
            var rip = start + (ulong)(code.Length == 0 ? 0 : random.Next(code.Length));
            if (round % 3 == 0 && code.Length > 4) rip = start + (ulong)code.Length - 2;
            ulong R() => random.Next(4) switch { 0 => 0, 1 => (ulong)random.NextInt64(), 2 => 0x600000 + (ulong)random.Next(256), _ => ulong.MaxValue };
            var registers = new RegisterState
            {
                Rax = R(), Rbx = R(), Rcx = R(), Rdx = R(), Rsi = R(), Rdi = R(), Rbp = R(), Rsp = R(),
                R8 = R(), R9 = R(), R10 = R(), R11 = R(), R12 = R(), R13 = R(), R14 = R(), R15 = R(),
                Rip = rip, Rflags = (ulong)random.Next(0x1000), FsBase = R(),
            };
            var memory = new SparseMemory().Add(start, code).Add(0x600000, data);
            var context = new StopContext
            {
                Registers = registers,
                Signal = new SignalInfo(signal, random.Next(-6, 6), R(), random.Next(2) == 0 ? null : 42),
                Memory = memory,
                Symbols = new OneFunctionSymbols(new FunctionBounds(start, start + (ulong)code.Length, "f")),
                Regions = [new MemoryRegion(start, start + 0x1000, true, false, true, true, "/bin/x"), new MemoryRegion(0x600000, 0x601000, true, true, false, true, "")],
                Backtrace = [new BacktraceFrame(rip, "f", null), new BacktraceFrame(0, null, null)],
            };
            var d = StopAnalysis.Diagnose(context);
            Assert.False(string.IsNullOrEmpty(d.Description));
            Assert.False(string.IsNullOrEmpty(d.ShortText));
            Assert.Equal(signal, d.Signal);
        }
    }

    [Fact]
    public void HugeFunctionBoundsAreNotDecoded()
    {
        var memory = new SparseMemory().Add(0x1000, [0x0f, 0x0b]);
        var d = StopAnalysis.Diagnose(new StopContext
        {
            Registers = new RegisterState { Rip = 0x1000 },
            Signal = new SignalInfo(Signals.SIGILL, 2, 0x1000),
            Memory = memory,
            Symbols = new OneFunctionSymbols(new FunctionBounds(0x1000, 0x1000 + (1UL << 40), "corrupt")),
        });
        Assert.Equal(StopKind.PlainTrap, d.Kind);
        Assert.Empty(d.Origins);
    }
}
