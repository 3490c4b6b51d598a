using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.Dwarf.CallFrames;
using TrapDebugger.Dwarf.Expressions;
using TrapDebugger.Dwarf.Tests.CallFrames;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests.Expressions;

/// <summary>Location expressions of a real -O0 program, evaluated with the registers of a live stop and checked against gdb's addresses.</summary>
/// <remarks>clang describes the frame base as DW_OP_reg6 RBP; gcc as DW_OP_call_frame_cfa, whose CFA comes from our own
/// .eh_frame reading. gdb stops in the function and prints its registers and each variable's address.</remarks>
public sealed class RealLocationExpressionTests(ITestOutputHelper output)
{
    private const string Source = """
        #include <stdio.h>
        struct pair { long first; int second; };
        int probe(int a, long b, struct pair p) {
            int local = a * 2;
            char buf[16];
            snprintf(buf, sizeof buf, "%d", local);
            return local + (int)b + buf[0] + (int)p.first + p.second;
        }
        int main(int argc, char **argv) { struct pair p = { 7, 9 }; (void)argv; return probe(argc, 40, p) & 1; }
        """;

    private static readonly string[] Variables = ["a", "b", "p", "local", "buf"];

    public static TheoryData<string> Variants() => [BuildVariant.Clang22O0.ToString(), BuildVariant.GccO0.ToString()];

    [Theory]
    [MemberData(nameof(Variants))]
    public void FbregLocationsMatchTheAddressesGdbReports(string variantName)
    {
        var variant = variantName == BuildVariant.GccO0.ToString() ? BuildVariant.GccO0 : BuildVariant.Clang22O0;
        var program = Fixtures.CompileSource(Source, "locations.c", variant, "-no-pie", "-fno-pie");

        // The DWARF: the frame base and each variable's location, re-encoded from llvm-dwarfdump's listing.
        var dump = Toolchain.Run(Toolchain.LlvmDwarfdump, ["--debug-info", "--name=probe", "--show-children", program]);
        Assert.Equal(0, dump.ExitCode);
        var frameBase = Assemble(Regex.Match(dump.Stdout, @"DW_AT_frame_base\s+\(([^)]*)\)").Groups[1].Value);
        var locations = new Dictionary<string, byte[]>();
        // Producers order attributes differently, so each DIE is read as a block.
        foreach (var die in dump.Stdout.Split("DW_TAG_"))
        {
            var name = Regex.Match(die, @"DW_AT_name\s+\(""(\w+)""\)");
            var location = Regex.Match(die, @"DW_AT_location\s+\(([^)]*)\)");
            if (name.Success && location.Success)
                locations[name.Groups[1].Value] = Assemble(location.Groups[1].Value);
        }
        Assert.True(Variables.All(locations.ContainsKey), $"expected locations for {string.Join(", ", Variables)} in:\n{dump.Stdout}");

        // The live state: gdb stops after probe's prologue and reports registers and addresses.
        var args = new List<string> { "-q", "-batch", "-nx", "-ex", "break probe", "-ex", "run", "-ex", "p/x $pc", "-ex", "p/x $rbp", "-ex", "p/x $rsp" };
        foreach (var v in Variables) args.AddRange(["-ex", $"p/x (unsigned long)&{v}"]);
        var gdb = Toolchain.Run(Toolchain.Find("gdb"), [.. args, program], timeout: TimeSpan.FromMinutes(1));
        var values = Regex.Matches(gdb.Stdout, @"^\$\d+ = 0x([0-9a-f]+)$", RegexOptions.Multiline)
            .Select(m => ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToList();
        Assert.True(values.Count == 3 + Variables.Length, $"gdb output:\n{gdb.Stdout}\n{gdb.Stderr}");
        ulong pc = values[0], rbp = values[1], rsp = values[2];

        // The CFA at that pc, from our .eh_frame reader.
        var ehFrame = ElfSectionBytes.Read(program, ".eh_frame")!;
        var row = CallFrameInfo.FromEhFrame(ehFrame.Bytes, ehFrame.Address).FindRow(pc);
        Assert.NotNull(row);
        Assert.False(row.Cfa.IsExpression);
        ulong cfaRegister = row.Cfa.Register switch { X86_64Registers.Rbp => rbp, X86_64Registers.Rsp => rsp, _ => throw new InvalidOperationException(row.ToString()) };
        var state = new StoppedFrame(rbp, rsp, pc) { Cfa = cfaRegister + (ulong)row.Cfa.Offset };

        var evaluator = new DwarfExpressionEvaluator();
        state.FrameBase = evaluator.EvaluateFrameBase(frameBase, state);
        Assert.NotNull(state.FrameBase);
        output.WriteLine($"{variant}: pc=0x{pc:x} rbp=0x{rbp:x} CFA=0x{state.Cfa:x} ({row.Cfa}) frame base ({DwarfExpressionFormatter.Format(frameBase)}) = 0x{state.FrameBase:x}");
        int agree = 0;
        for (int i = 0; i < Variables.Length; i++)
        {
            var location = evaluator.Evaluate(locations[Variables[i]], state);
            ulong expected = values[3 + i];
            output.WriteLine($"  {Variables[i]}: {DwarfExpressionFormatter.Format(locations[Variables[i]])} -> {DwarfExpressionEvaluatorTests.Describe(location)}, gdb &{Variables[i]} = 0x{expected:x}");
            if (location is DwarfLocation.Memory m && m.Address == expected) agree++;
        }
        Assert.Equal(Variables.Length, agree);
    }

    // Re-encodes the few operations -O0 frame bases and locations use, from llvm-dwarfdump's text.
    private static byte[] Assemble(string text)
    {
        var bytes = new List<byte>();
        foreach (var op in text.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = op.Split(' ');
            switch (parts[0])
            {
                case "DW_OP_fbreg":
                    bytes.Add((byte)DwarfOperation.Fbreg);
                    Sleb(bytes, long.Parse(parts[1], CultureInfo.InvariantCulture));
                    break;
                case "DW_OP_call_frame_cfa":
                    bytes.Add((byte)DwarfOperation.CallFrameCfa);
                    break;
                case var reg when reg.StartsWith("DW_OP_reg", StringComparison.Ordinal) && reg != "DW_OP_regx":
                    bytes.Add((byte)((int)DwarfOperation.Reg0 + int.Parse(reg["DW_OP_reg".Length..], CultureInfo.InvariantCulture)));
                    break;
                default:
                    throw new InvalidOperationException($"the test does not re-encode '{op}'");
            }
        }
        return [.. bytes];
    }

    private static void Sleb(List<byte> bytes, long value)
    {
        while (true)
        {
            byte b = (byte)(value & 0x7f);
            value >>= 7;
            bool done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            bytes.Add(done ? b : (byte)(b | 0x80));
            if (done) return;
        }
    }

    private sealed class StoppedFrame(ulong rbp, ulong rsp, ulong pc) : IDwarfExpressionContext
    {
        public ulong? Cfa { get; init; }
        public ulong? FrameBase { get; set; }
        public ulong? CanonicalFrameAddress => Cfa;
        public ulong LoadBias => 0;

        public ulong? ReadRegister(int register) => register switch
        {
            X86_64Registers.Rbp => rbp,
            X86_64Registers.Rsp => rsp,
            X86_64Registers.ReturnAddress => pc,
            _ => null,
        };

        public bool ReadMemory(ulong address, Span<byte> destination) => false;
        public ulong? ReadAddressTableEntry(ulong index) => null;
    }
}
