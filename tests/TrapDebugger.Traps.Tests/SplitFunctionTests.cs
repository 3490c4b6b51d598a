using Iced.Intel;
using TrapDebugger.Traps.Tests.Support;
using static Iced.Intel.AssemblerRegisters;

namespace TrapDebugger.Traps.Tests;

/// <summary>A function split in two parts, as GCC -O2 lays it out: the cold part (with the trap and a check of its own) at a lower
/// address than the hot part, entered only by a branch of the hot part. The analysis must see the branches of both parts, and
/// must neither take the cold part's start for the function's entry nor let code before it fall through into it.</summary>
public sealed class SplitFunctionTests
{
    private const ulong Cold = 0x1000;
    private const ulong Hot = 0x2000;

    // hot:  test rdi, rdi ; je cold ; cmp esi, edx ; jae trap ; mov eax, [rdi+rsi*4] ; ret
    // cold: test ecx, ecx ; je trap ; xor eax, eax ; ret ; trap: ud2
    private static (byte[] Hot, byte[] Cold, ulong Trap, ulong HotNull, ulong HotRange, ulong ColdCheck) Assemble()
    {
        var cold = new Assembler(64);
        var trap = cold.CreateLabel();
        cold.test(ecx, ecx);
        cold.je(trap);
        cold.xor(eax, eax);
        cold.ret();
        cold.Label(ref trap);
        cold.ud2();
        var coldBytes = Encode(cold, Cold);
        var trapAddress = Cold + (ulong)coldBytes.Length - 2;

        // Near (rel32) branches, as a compiler emits across sections.
        var hot = new Assembler(64) { PreferShortBranch = false };
        hot.test(rdi, rdi);
        hot.je(Cold);
        hot.cmp(esi, edx);
        hot.jae(trapAddress);
        hot.mov(eax, __dword_ptr[rdi + rsi * 4]);
        hot.ret();
        var hotBytes = Encode(hot, Hot);

        var hotBranches = Branches(hotBytes, Hot);
        return (hotBytes, coldBytes, trapAddress, hotBranches[0], hotBranches[1], Branches(coldBytes, Cold)[0]);
    }

    private static byte[] Encode(Assembler assembler, ulong at)
    {
        var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), at);
        return stream.ToArray();
    }

    private static List<ulong> Branches(byte[] bytes, ulong at)
    {
        var decoder = Decoder.Create(64, bytes, at);
        var found = new List<ulong>();
        while (decoder.IP < at + (ulong)bytes.Length)
        {
            decoder.Decode(out var i);
            if (i.FlowControl == FlowControl.ConditionalBranch) found.Add(i.IP);
        }
        return found;
    }

    private static FunctionBounds Part(ulong start, byte[] bytes, byte[] hot, byte[] cold) =>
        new(start, start + (ulong)bytes.Length, "f")
        {
            Parts = [new CodeRange(Hot, Hot + (ulong)hot.Length), new CodeRange(Cold, Cold + (ulong)cold.Length)],
        };

    [Fact]
    public void TheCatalogFindsTheBranchesOfBothParts()
    {
        var (hot, cold, trap, hotNull, hotRange, coldCheck) = Assemble();
        var memory = new SparseMemory().Add(Hot, hot).Add(Cold, cold);
        var coldPart = Part(Cold, cold, hot, cold);
        var catalog = TrapSiteCatalog.Build([Part(Hot, hot, hot, cold), coldPart], memory, new OneFunctionSymbols(coldPart));

        var site = Assert.Single(catalog.Sites);
        Assert.Equal(trap, site.Address);
        // hotNull reaches the cold part's start, which is the check at coldCheck, not the trap.
        Assert.Equal([coldCheck, hotRange], site.Origins.Select(o => o.BranchAddress).Order());

        // Without its parts, the cold range alone sees only its own branch.
        var alone = TrapSiteCatalog.Build([new FunctionBounds(Cold, Cold + (ulong)cold.Length, "f.cold")], memory, new OneFunctionSymbols(coldPart));
        Assert.Equal([coldCheck], Assert.Single(alone.Sites).Origins.Select(o => o.BranchAddress));
        Assert.DoesNotContain(hotNull, site.Origins.Select(o => o.BranchAddress));
    }

    public static TheoryData<string, string, string> Stops() => new()
    {
        // p != NULL and i >= n: the hot part's range check fired; the cold check's compare holds on ecx = 0, but its block
        // is entered only when the hot part's null check is taken, which rdi rules out.
        { "rdi=0x7fff0000 rsi=9 rdx=4 rcx=0", "hotRange", "coldCheck" },
        // p == NULL and ecx == 0: the cold part's check fired; the range check runs only when the null check falls through.
        { "rdi=0 rsi=9 rdx=4 rcx=0", "coldCheck", "hotRange" },
    };

    [Theory]
    [MemberData(nameof(Stops))]
    public void TheCheckThatFiredRanksFirst(string registers, string fired, string notRun)
    {
        var (hot, cold, trap, _, hotRange, coldCheck) = Assemble();
        var named = new Dictionary<string, ulong> { ["hotRange"] = hotRange, ["coldCheck"] = coldCheck };
        var function = Part(Cold, cold, hot, cold);
        var context = new StopContext
        {
            Registers = FixtureFile.Registers(registers) with { Rip = trap },
            Signal = new SignalInfo(Signals.SIGILL, 2, trap),
            Memory = new SparseMemory().Add(Hot, hot).Add(Cold, cold),
            Symbols = new OneFunctionSymbols(function),
        };

        var d = StopAnalysis.Diagnose(context);

        var why = string.Join("\n", d.Origins.Select(o => $"#{o.Rank} 0x{o.BranchAddress:x} {o.Condition}: {o.Evidence}"));
        Assert.True(d.Origins.Count == 2, why);
        Assert.True(d.Origins[0].BranchAddress == named[fired] && d.Origins[0].Condition == ConditionStatus.Holds, why);
        var never = d.Origins.Single(o => o.BranchAddress == named[notRun]);
        Assert.True(never.Condition == ConditionStatus.DoesNotHold, why);
    }
}
