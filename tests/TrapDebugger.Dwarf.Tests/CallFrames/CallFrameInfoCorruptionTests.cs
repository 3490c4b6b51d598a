using TrapDebugger.Dwarf.CallFrames;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests.CallFrames;

/// <summary>Truncated and bit-flipped call frame sections: every failure must be a typed error naming the section.</summary>
public sealed class CallFrameInfoCorruptionTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;

    [Fact]
    public void TruncatedAndBitFlippedEhFrameFailsOnlyWithTypedErrors()
    {
        var program = Fixtures.Build("verbose_trap", BuildVariant.Clang22O2).Program;
        var ehFrame = ElfSectionBytes.Read(program, ".eh_frame")!;
        var hdr = ElfSectionBytes.Read(program, ".eh_frame_hdr")!;
        var random = new Random(20261123);
        int typed = 0, parsed = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var frame = (byte[])ehFrame.Bytes.Clone();
            var header = (byte[])hdr.Bytes.Clone();
            bool corruptHeader = i % 4 == 3;
            var target = corruptHeader ? header : frame;
            int length = target.Length;
            if (i % 3 == 0)
                length = random.Next(target.Length);
            else
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    target[random.Next(target.Length)] ^= (byte)(1 << random.Next(8));
            var frameBytes = corruptHeader ? frame : frame.AsMemory(0, length);
            var headerBytes = corruptHeader ? header.AsMemory(0, length) : header;
            try
            {
                var table = CallFrameInfo.FromEhFrame(frameBytes, ehFrame.Address, i % 2 == 0 ? headerBytes : default, hdr.Address);
                foreach (var fde in table.FrameDescriptions)
                {
                    table.GetRows(fde);
                    table.FindRow(fde.InitialLocation + fde.AddressRange / 2);
                }
                for (int probe = 0; probe < 8; probe++)
                    table.FindRow(ehFrame.Address - 0x1000 + (ulong)random.Next(0x2000));
                parsed++;
            }
            catch (InvalidDataException e)
            {
                Assert.Matches(@"^\.eh_frame(_hdr)? at offset 0x[0-9a-f]+: ", e.Message);
                typed++;
            }
        }
        output.WriteLine($"{Iterations} corrupted images: {typed} typed errors, {parsed} parsed without error, 0 other exceptions");
        Assert.True(typed > Iterations / 10, "corruption should be detected in a good share of the images");
    }

    [Fact]
    public void TruncatedDebugFrameFailsOnlyWithTypedErrors()
    {
        var image = new List<byte>();
        var cie = new List<byte> { 0xff, 0xff, 0xff, 0xff, 1, 0, 1, 0x78, 16, 0x0c, 0x07, 0x08, 0x90, 0x01 };
        image.AddRange(BitConverter.GetBytes(cie.Count)); image.AddRange(cie);
        var fde = new List<byte>();
        fde.AddRange(BitConverter.GetBytes(0)); fde.AddRange(BitConverter.GetBytes(0x1000ul)); fde.AddRange(BitConverter.GetBytes(0x20ul));
        fde.AddRange([0x41, 0x0e, 0x10, 0x86, 0x02, 0x0a, 0x0f, 0x02, 0x77, 0x08, 0x41, 0x0b]);
        image.AddRange(BitConverter.GetBytes(fde.Count)); image.AddRange(fde);
        var bytes = image.ToArray();
        Assert.Equal(3, CallFrameInfo.FromDebugFrame(bytes).GetRows(CallFrameInfo.FromDebugFrame(bytes).FrameDescriptions[0]).Count);
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<InvalidDataException>(() =>
            {
                var table = CallFrameInfo.FromDebugFrame(bytes.AsMemory(0, length));
                foreach (var f in table.FrameDescriptions) table.GetRows(f);
                if (table.FrameDescriptions.Count == 0) throw new InvalidDataException(".debug_frame at offset 0x0: empty");
            });
            Assert.StartsWith(".debug_frame at offset 0x", e.Message);
        }
    }
}
