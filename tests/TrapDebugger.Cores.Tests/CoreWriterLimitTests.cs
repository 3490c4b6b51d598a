using TrapDebugger.Elf;
using TrapDebugger.Elf.Core;

namespace TrapDebugger.Cores.Tests;

/// <summary>A process with more memory ranges than e_phnum can count still gets a core: the ranges it leaves out are dropped first.</summary>
public sealed class CoreWriterLimitTests
{
    [Fact]
    public void RangesTheCoreDoesNotHoldAreDroppedWhenThereAreTooManyForEPhnum()
    {
        const ulong page = CoreMemorySelection.PageSize, stack = 0x7ff0_0000_0000;
        var memory = new byte[page];
        memory.AsSpan().Fill(0x5a);
        var regions = Enumerable.Range(0, 70_000).Select(i => new CoreRegion(0x1000_0000 + (ulong)i * page, 0x1000_0000 + (ulong)(i + 1) * page, 4, false))
            .Append(new CoreRegion(stack, stack + page, 6, true)).ToList();
        var registers = new GeneralRegisters { Rip = 0x1000_0000, Rsp = stack + 0x800 };
        var description = new CoreDescription
        {
            Process = new ElfPrPsInfo(0, (byte)'t', 0, 0, 0, 0, 0, 42, 1, 42, 42, "many", "many maps"),
            Threads = [new CoreThreadState(new ElfPrStatus(11, 1, 0, 11, 0, 0, 42, 1, 42, 42, registers, 0), null, null, ElfSigInfo.Create(11, 1, 0x10))],
            Regions = regions,
            Memory = new OffsetSource(stack, memory),
        };
        using var stream = new MemoryStream();
        var result = CoreWriter.Write(description, stream);
        Assert.Equal(page, result.IncludedBytes);
        Assert.Equal(70_000 * page, result.OmittedBytes);
        using var core = CoreFile.Read(stream.ToArray(), "many");
        var segment = Assert.Single(core.Memory.Segments);
        Assert.Equal(stack, segment.Address);
        var read = new byte[16];
        Assert.Equal(16, core.Memory.Read(registers.Rsp, read));
        Assert.All(read, b => Assert.Equal(0x5a, b));
        Assert.Equal(0x10UL, core.SignalInfo!.Address);
        Assert.Equal(42, core.SignalledThread.ThreadId);
    }

    private sealed class OffsetSource(ulong start, byte[] bytes) : IByteSource
    {
        public int Read(ulong position, Span<byte> buffer) =>
            position < start || position - start >= (ulong)bytes.Length ? 0 : new ByteArraySource(bytes).Read(position - start, buffer);
    }
}
