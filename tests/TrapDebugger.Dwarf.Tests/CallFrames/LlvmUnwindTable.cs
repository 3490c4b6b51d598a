using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests.CallFrames;

/// <summary>The unwind rows llvm-dwarfdump prints for each FDE of --eh-frame or --debug-frame.</summary>
internal sealed record LlvmFde(int Offset, ulong Begin, ulong End, List<(ulong Address, string Text)> Rows);

internal static class LlvmUnwindTable
{
    private static readonly Regex FdeHeader = new(@"^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.\.([0-9a-f]+)", RegexOptions.Compiled);
    private static readonly Regex RowLine = new(@"^  0x([0-9a-f]+): (.*)$", RegexOptions.Compiled);

    /// <summary>Runs llvm-dwarfdump with <paramref name="option"/> (--eh-frame or --debug-frame) and parses every FDE's rows.</summary>
    public static List<LlvmFde> Dump(string path, string option)
    {
        var r = Toolchain.Run(Toolchain.LlvmDwarfdump, [option, path]);
        Assert.Equal(0, r.ExitCode);
        var fdes = new List<LlvmFde>();
        LlvmFde? current = null;
        // --debug-frame also prints .eh_frame; keep only the section that was asked for.
        string wanted = option == "--eh-frame" ? ".eh_frame contents:" : ".debug_frame contents:";
        bool inSection = false;
        foreach (var line in r.Stdout.Split('\n'))
        {
            if (line.EndsWith(" contents:", StringComparison.Ordinal))
            {
                inSection = line == wanted;
                current = null;
                continue;
            }
            if (!inSection) continue;
            var h = FdeHeader.Match(line);
            if (h.Success)
            {
                current = new LlvmFde(int.Parse(h.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    Hex(h.Groups[2].Value), Hex(h.Groups[3].Value), []);
                fdes.Add(current);
                continue;
            }
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                current = null; // a CIE or a section banner
                continue;
            }
            var row = RowLine.Match(line);
            if (row.Success && current != null)
                current.Rows.Add((Hex(row.Groups[1].Value), $"0x{row.Groups[1].Value}: {row.Groups[2].Value}"));
        }
        return fdes;
    }

    private static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
