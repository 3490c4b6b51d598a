using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>origins.txt: functions whose checks share one ud2, with the registers a run of the code left at the trap; the branch
/// that reached the trap must be ranked first and holding, and no check whose branch never ran may be said to hold.</summary>
public sealed class OriginFixtureTests
{
    private const ulong Base = 0x1000;

    public static TheoryData<string[]> Rows => FixtureFile.Rows("origins.txt", 5);

    [Theory]
    [MemberData(nameof(Rows))]
    public void TheBranchThatReachedTheTrapIsRankedFirst(string[] row)
    {
        var (asm, bytes, registers, fired, notRun) = (row[0], FixtureFile.Hex(row[1]), row[2], FixtureFile.Number(row[3]), row[4]);
        var trap = FindTrap(bytes);
        var context = new StopContext
        {
            Registers = FixtureFile.Registers(registers) with { Rip = trap },
            Signal = new SignalInfo(Signals.SIGILL, 2, trap),
            Memory = new SparseMemory().Add(Base, bytes),
            Symbols = new OneFunctionSymbols(new FunctionBounds(Base, Base + (ulong)bytes.Length, "f")),
        };

        var d = StopAnalysis.Diagnose(context);

        var why = $"{asm} with {registers}:\n" + string.Join("\n", d.Origins.Select(o => $"#{o.Rank} 0x{o.BranchAddress - Base:x} {o.Condition}: {o.Evidence}"));
        var top = d.Origins[0];
        Assert.True(top.BranchAddress == Base + fired && top.Condition == ConditionStatus.Holds, why);
        foreach (var offset in notRun == "-" ? [] : notRun.Split(' '))
        {
            var address = Base + FixtureFile.Number(offset);
            if (d.Origins.FirstOrDefault(o => o.BranchAddress == address) is { } never)
                Assert.True(never.Condition != ConditionStatus.Holds, $"0x{offset} never ran\n{why}");
        }
    }

    private static ulong FindTrap(byte[] bytes)
    {
        var decoder = Iced.Intel.Decoder.Create(64, bytes, Base);
        while (decoder.IP < Base + (ulong)bytes.Length)
        {
            decoder.Decode(out var i);
            if (i.Mnemonic == Iced.Intel.Mnemonic.Ud2) return i.IP;
        }
        throw new InvalidDataException("no ud2 in the fixture bytes");
    }
}
