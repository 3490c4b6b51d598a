using TrapDebugger.Dwarf.CallFrames;

namespace TrapDebugger.Dwarf.Tests.CallFrames;

/// <summary>Hand-assembled CIEs and FDEs for the instructions and augmentations compilers rarely emit.</summary>
public sealed class CallFrameInfoInstructionTests
{
    private const ulong SectionAddress = 0x2000;

    /// <summary>FDE instruction bytes (after a CIE "zR" whose initial rules are CFA=RSP+8, RIP=[CFA-8]) and the expected rows.</summary>
    public static TheoryData<string, byte[], string[]> Programs() => new()
    {
        { "offset / restore", [0x0e, 0x10, 0x86, 0x02, 0x41, 0xc6, 0x41, 0x07, 0x10, 0x41, 0xd0],
            ["0x1000: CFA=RSP+16: RBP=[CFA-16], RIP=[CFA-8]", "0x1001: CFA=RSP+16: RIP=[CFA-8]", "0x1002: CFA=RSP+16: RIP=undefined",
             "0x1003: CFA=RSP+16: RIP=[CFA-8]"] },
        { "advance_loc1/2/4", [0x02, 0x10, 0x0e, 0x10, 0x03, 0x00, 0x01, 0x0e, 0x18, 0x04, 0x02, 0x00, 0x00, 0x00, 0x0e, 0x20],
            ["0x1000: CFA=RSP+8: RIP=[CFA-8]", "0x1010: CFA=RSP+16: RIP=[CFA-8]", "0x1110: CFA=RSP+24: RIP=[CFA-8]", "0x1112: CFA=RSP+32: RIP=[CFA-8]"] },
        { "undefined / same_value / register", [0x07, 0x10, 0x08, 0x03, 0x09, 0x06, 0x00],
            ["0x1000: CFA=RSP+8: RBX=same, RBP=RAX, RIP=undefined"] },
        { "def_cfa / def_cfa_register / def_cfa_offset_sf / def_cfa_sf", [0x0c, 0x06, 0x10, 0x41, 0x0d, 0x07, 0x41, 0x13, 0x7e, 0x41, 0x12, 0x03, 0x7f],
            ["0x1000: CFA=RBP+16: RIP=[CFA-8]", "0x1001: CFA=RSP+16: RIP=[CFA-8]", "0x1002: CFA=RSP+16: RIP=[CFA-8]", "0x1003: CFA=RBX+8: RIP=[CFA-8]"] },
        { "offset_extended / offset_extended_sf / GNU_negative_offset_extended", [0x05, 0x03, 0x02, 0x11, 0x06, 0x7e, 0x2f, 0x0c, 0x03],
            ["0x1000: CFA=RSP+8: RBX=[CFA-16], RBP=[CFA+16], R12=[CFA+24], RIP=[CFA-8]"] },
        { "val_offset / val_offset_sf", [0x14, 0x07, 0x01, 0x15, 0x03, 0x7f],
            ["0x1000: CFA=RSP+8: RBX=CFA+8, RSP=CFA-8, RIP=[CFA-8]"] },
        { "remember_state / restore_state keeps CFA and registers", [0x0a, 0x0e, 0x20, 0x83, 0x03, 0x41, 0x0b, 0x41],
            ["0x1000: CFA=RSP+32: RBX=[CFA-24], RIP=[CFA-8]", "0x1001: CFA=RSP+8: RIP=[CFA-8]", "0x1002: CFA=RSP+8: RIP=[CFA-8]"] },
        { "def_cfa_expression / expression / val_expression", [0x0f, 0x02, 0x77, 0x08, 0x10, 0x03, 0x02, 0x77, 0x10, 0x16, 0x06, 0x01, 0x9c],
            ["0x1000: CFA=DW_OP_breg7 RSP+8: RBX=[DW_OP_breg7 RSP+16], RBP=DW_OP_call_frame_cfa, RIP=[CFA-8]"] },
        { "GNU_args_size and nops change nothing", [0x2e, 0x10, 0x00, 0x00],
            ["0x1000: CFA=RSP+8: RIP=[CFA-8]"] },
        { "restore_extended", [0x05, 0x10, 0x04, 0x41, 0x06, 0x10],
            ["0x1000: CFA=RSP+8: RIP=[CFA-32]", "0x1001: CFA=RSP+8: RIP=[CFA-8]"] },
        { "set_loc", [0x01, 0x10, 0x10, 0x00, 0x00, 0x0e, 0x10],
            ["0x1000: CFA=RSP+8: RIP=[CFA-8]", "0x1010: CFA=RSP+16: RIP=[CFA-8]"] },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void FdeInstructionsProduceTheExpectedRows(string name, byte[] instructions, string[] expected)
    {
        _ = name;
        // set_loc uses the FDE encoding: udata4 absolute in this CIE.
        var image = new EhFrameImage(fdeEncoding: 0x03);
        int cie = image.AddCie("zR", [0x03], [0x0c, 0x07, 0x08, 0x90, 0x01]);
        int fde = image.AddFde(cie, 0x1000, 0x40, [], instructions);
        var table = CallFrameInfo.FromEhFrame(image.ToArray(), SectionAddress);
        var entry = Assert.IsType<FrameDescriptionEntry>(table.ReadEntry(fde));
        Assert.Equal(expected, table.GetRows(entry).Select(r => r.ToString()));
    }

    [Fact]
    public void AugmentationsPersonalityLsdaSignalFrameAndPcRelativeEncodingsAreDecoded()
    {
        var image = new EhFrameImage(fdeEncoding: 0x1b);
        // "zPLRS": personality indirect|pcrel|sdata4, LSDA pcrel|sdata4, FDE pcrel|sdata4, signal frame.
        int personalityField = 0; // filled in by the builder (address of the field is needed for pcrel)
        int cie = image.AddCie("zPLRS", augmentationData: null, [0x0c, 0x07, 0x08, 0x90, 0x01],
            buildAugmentation: fieldOffset =>
            {
                personalityField = fieldOffset + 1;
                var b = new List<byte> { 0x9b };
                b.AddRange(BitConverter.GetBytes((int)(0x5000 - (long)(SectionAddress + (ulong)(fieldOffset + 1)))));
                b.Add(0x1b);
                b.Add(0x1b);
                return [.. b];
            });
        int fde = image.AddFde(cie, 0x1234, 0x20, lsdaTarget: 0x6000, [0x0e, 0x10]);
        var table = CallFrameInfo.FromEhFrame(image.ToArray(), SectionAddress);
        var entry = Assert.IsType<FrameDescriptionEntry>(table.ReadEntry(fde));
        Assert.Equal(0x1234ul, entry.InitialLocation);
        Assert.Equal(0x1254ul, entry.EndAddress);
        Assert.True(entry.Cie.IsSignalFrame);
        Assert.Equal(new EncodedPointer(0x5000, true), entry.Cie.Personality);
        Assert.Equal(new EncodedPointer(0x6000, false), entry.Lsda);
        Assert.True(table.FindRow(0x1240)!.IsSignalFrame);
        Assert.Equal("0x1234: CFA=RSP+16: RIP=[CFA-8]", table.FindRow(0x1240)!.ToString());
        Assert.Null(table.FindRow(0x1254));
        Assert.Null(table.FindRow(0x1233));
    }

    [Theory]
    [InlineData((byte)0x02)] // udata2
    [InlineData((byte)0x0a)] // sdata2
    [InlineData((byte)0x04)] // udata8
    [InlineData((byte)0x0c)] // sdata8
    [InlineData((byte)0x01)] // uleb128
    [InlineData((byte)0x09)] // sleb128
    [InlineData((byte)0x00)] // absptr
    [InlineData((byte)0x1c)] // pcrel|sdata8
    public void FdeAddressesDecodeInEveryValueFormat(byte encoding)
    {
        var image = new EhFrameImage(encoding);
        int cie = image.AddCie("zR", [encoding], [0x0c, 0x07, 0x08]);
        int fde = image.AddFde(cie, 0x1a2b, 0x30, [], [0x41, 0x0e, 0x10]);
        var table = CallFrameInfo.FromEhFrame(image.ToArray(), SectionAddress);
        var entry = Assert.IsType<FrameDescriptionEntry>(table.ReadEntry(fde));
        Assert.Equal((0x1a2bul, 0x1a5bul), (entry.InitialLocation, entry.EndAddress));
        Assert.Equal("0x1a2c: CFA=RSP+16", table.FindRow(0x1a2c)!.ToString());
    }

    [Fact]
    public void DebugFrameVersion4CieWithAddressSizeIsRead()
    {
        var b = new List<byte>();
        // CIE: length, id 0xffffffff, version 4, "", address_size 8, segment 0, caf 1, daf -8, ra 16, def_cfa rsp+8
        var cie = new List<byte> { 0xff, 0xff, 0xff, 0xff, 4, 0, 8, 0, 1, 0x78, 16, 0x0c, 0x07, 0x08, 0x90, 0x01 };
        b.AddRange(BitConverter.GetBytes(cie.Count)); b.AddRange(cie);
        var fde = new List<byte>();
        fde.AddRange(BitConverter.GetBytes(0)); // CIE at offset 0
        fde.AddRange(BitConverter.GetBytes(0x401000ul)); fde.AddRange(BitConverter.GetBytes(0x10ul));
        fde.AddRange([0x41, 0x0e, 0x10, 0x86, 0x02]);
        int fdeOffset = b.Count;
        b.AddRange(BitConverter.GetBytes(fde.Count)); b.AddRange(fde);
        var table = CallFrameInfo.FromDebugFrame(b.ToArray());
        var entry = Assert.Single(table.FrameDescriptions);
        Assert.Equal(fdeOffset, entry.Offset);
        Assert.Equal(4, entry.Cie.Version);
        Assert.Equal("0x401001: CFA=RSP+16: RBP=[CFA-16], RIP=[CFA-8]", table.FindRow(0x40100f)!.ToString());
    }

    [Theory]
    [InlineData(new byte[] { 0x0b }, "DW_CFA_restore_state without a matching DW_CFA_remember_state")]
    [InlineData(new byte[] { 0x0f, 0x10, 0x08 }, "runs past the end")]
    [InlineData(new byte[] { 0x3f }, "unknown call frame instruction 0x3f")]
    [InlineData(new byte[] { 0x07, 0xff, 0xff, 0xff, 0xff, 0x0f }, "register number")]
    [InlineData(new byte[] { 0x0e }, "runs past the end")]
    public void MalformedInstructionsAreTypedErrorsNamingSectionAndOffset(byte[] instructions, string message)
    {
        var image = new EhFrameImage(0x03);
        int cie = image.AddCie("zR", [0x03], [0x0c, 0x07, 0x08]);
        int fde = image.AddFde(cie, 0x1000, 0x10, [], instructions);
        var table = CallFrameInfo.FromEhFrame(image.ToArray(), SectionAddress);
        var entry = Assert.IsType<FrameDescriptionEntry>(table.ReadEntry(fde));
        var e = Assert.Throws<InvalidDataException>(() => table.GetRows(entry));
        Assert.Contains(".eh_frame at offset 0x", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void FdeWhoseCiePointerMissesACieIsATypedError()
    {
        var image = new EhFrameImage(0x03);
        int cie = image.AddCie("zR", [0x03], [0x0c, 0x07, 0x08]);
        int first = image.AddFde(cie, 0x1000, 0x10, [], [0x00]);
        int second = image.AddFde(first, 0x2000, 0x10, [], [0x00]); // points at an FDE, not a CIE
        var table = CallFrameInfo.FromEhFrame(image.ToArray(), SectionAddress);
        var e = Assert.Throws<InvalidDataException>(() => table.ReadEntry(second));
        Assert.Contains("not a CIE", e.Message);
    }

    /// <summary>Builds .eh_frame images: CIEs with a given augmentation and FDEs with udata/sdata/leb address encodings.</summary>
    private sealed class EhFrameImage(byte fdeEncoding)
    {
        private readonly List<byte> _bytes = [];

        public int AddCie(string augmentation, byte[]? augmentationData, byte[] instructions, Func<int, byte[]>? buildAugmentation = null)
        {
            int offset = _bytes.Count;
            var body = new List<byte> { 0, 0, 0, 0, 1 };
            body.AddRange(System.Text.Encoding.ASCII.GetBytes(augmentation)); body.Add(0);
            body.AddRange([1, 0x78, 16]); // caf 1, daf -8, ra 16
            // Augmentation data offset: length field (4) + body so far + its own 1-byte length.
            var data = buildAugmentation?.Invoke(offset + 4 + body.Count + 1) ?? augmentationData ?? [];
            body.Add((byte)data.Length);
            body.AddRange(data);
            body.AddRange(instructions);
            _bytes.AddRange(BitConverter.GetBytes(body.Count));
            _bytes.AddRange(body);
            return offset;
        }

        public int AddFde(int cieOffset, ulong begin, ulong range, byte[] augmentation, byte[] instructions) =>
            AddFde(cieOffset, begin, range, null, instructions, augmentation);

        public int AddFde(int cieOffset, ulong begin, ulong range, ulong? lsdaTarget, byte[] instructions, byte[]? augmentation = null)
        {
            int offset = _bytes.Count;
            var body = new List<byte>();
            body.AddRange(BitConverter.GetBytes(offset + 4 - cieOffset));
            int beginField = offset + 4 + body.Count;
            body.AddRange(Encode(begin, beginField, pcRelative: (fdeEncoding & 0x70) == 0x10));
            body.AddRange(Encode(range, 0, pcRelative: false));
            if (lsdaTarget is { } lsda)
            {
                body.Add(4);
                int field = offset + 4 + body.Count;
                body.AddRange(BitConverter.GetBytes((int)((long)lsda - (long)(SectionAddress + (ulong)field))));
            }
            else
            {
                body.Add((byte)(augmentation?.Length ?? 0));
                body.AddRange(augmentation ?? []);
            }
            body.AddRange(instructions);
            _bytes.AddRange(BitConverter.GetBytes(body.Count));
            _bytes.AddRange(body);
            return offset;
        }

        private byte[] Encode(ulong value, int fieldOffset, bool pcRelative)
        {
            long v = pcRelative ? (long)value - (long)(SectionAddress + (ulong)fieldOffset) : (long)value;
            return (fdeEncoding & 0x0f) switch
            {
                0x00 or 0x04 or 0x0c => BitConverter.GetBytes(v),
                0x02 or 0x0a => BitConverter.GetBytes((short)v),
                0x03 or 0x0b => BitConverter.GetBytes((int)v),
                0x01 => Leb((ulong)v),
                0x09 => Leb((ulong)v),
                _ => throw new ArgumentException("encoding"),
            };
        }

        private static byte[] Leb(ulong v)
        {
            // Small positive values: ULEB and SLEB agree when bit 6 of the last byte is clear.
            var b = new List<byte>();
            do
            {
                byte x = (byte)(v & 0x7f);
                v >>= 7;
                if (v != 0 || (x & 0x40) != 0) x |= 0x80;
                b.Add(x);
                if (v == 0 && (x & 0x80) != 0) { b.Add(0); break; }
            } while (v != 0);
            return [.. b];
        }

        public byte[] ToArray() => [.. _bytes, 0, 0, 0, 0];
    }
}
