using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Formats instructions the way the diagnosis shows them (Intel syntax, hex with 0x).</summary>
internal static class Disassembly
{
    private static readonly FormatterOptions Options = CreateOptions();

    private static FormatterOptions CreateOptions()
    {
        var o = FormatterOptions.CreateIntel();
        o.HexPrefix = "0x";
        o.HexSuffix = null;
        o.UppercaseHex = false;
        o.SpaceAfterOperandSeparator = true;
        o.MemorySizeOptions = MemorySizeOptions.Minimal;
        return o;
    }

    public static string Format(in Instruction instruction)
    {
        var formatter = new IntelFormatter(Options);
        var output = new StringOutput();
        formatter.Format(instruction, output);
        return output.ToStringAndReset();
    }

    /// <summary>The lower-case name of a register as it appears in disassembly, e.g. "rdx".</summary>
    public static string Name(Register register) => register.ToString().ToLowerInvariant();
}
