using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>conditions.txt: a branch reaching a ud2, evaluated against register states for every jcc family and flag setter.</summary>
public sealed class ConditionFixtureTests
{
    private const ulong Base = 0x1000;

    public static TheoryData<string[]> Rows => FixtureFile.Rows("conditions.txt", 5);

    [Theory]
    [MemberData(nameof(Rows))]
    public void BranchConditionMatchesTheFlagModel(string[] row)
    {
        var (asm, bytes, registers, expected, evidence) = (row[0], FixtureFile.Hex(row[1]), row[2], row[3], row[4]);
        var trap = FindTrap(bytes);
        var memory = new SparseMemory().Add(Base, bytes);
        var context = new StopContext
        {
            Registers = FixtureFile.Registers(registers) with { Rip = trap },
            Signal = new SignalInfo(Signals.SIGILL, 2, trap),
            Memory = memory,
            Symbols = new OneFunctionSymbols(new FunctionBounds(Base, Base + (ulong)bytes.Length, "f")),
        };

        var diagnosis = StopAnalysis.Diagnose(context);

        var origin = Assert.Single(diagnosis.Origins);
        Assert.Equal(Base + (ulong)FirstBranchOffset(bytes), origin.BranchAddress);
        Assert.True(Enum.Parse<ConditionStatus>(expected) == origin.Condition,
            $"{asm} with {registers}: expected {expected}, got {origin.Condition} ({origin.Evidence})");
        if (evidence != "-")
            Assert.Contains(evidence, origin.Evidence);
        Assert.Equal(StopKind.PlainTrap, diagnosis.Kind);
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

    private static int FirstBranchOffset(byte[] bytes)
    {
        var decoder = Iced.Intel.Decoder.Create(64, bytes, Base);
        while (decoder.IP < Base + (ulong)bytes.Length)
        {
            decoder.Decode(out var i);
            if (i.FlowControl == Iced.Intel.FlowControl.ConditionalBranch) return (int)(i.IP - Base);
        }
        throw new InvalidDataException("no conditional branch in the fixture bytes");
    }
}
