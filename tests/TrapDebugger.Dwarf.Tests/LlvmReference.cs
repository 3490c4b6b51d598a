using System.Globalization;
using System.Text;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>Runs llvm-addr2line and llvm-dwarfdump and parses their answers for comparison.</summary>
public static class LlvmReference
{
    /// <summary>llvm-addr2line -a -f -i output for each address: the lines after the echoed address, joined with '\n'.</summary>
    public static Dictionary<ulong, string> Addr2Line(string binary, IReadOnlyList<ulong> addresses, params string[] extra)
    {
        var input = new StringBuilder();
        foreach (var a in addresses) input.Append("0x").Append(a.ToString("x", CultureInfo.InvariantCulture)).Append('\n');
        var r = Toolchain.Run(Toolchain.LlvmAddr2line, ["-a", "-f", "-i", .. extra, "-e", binary], stdin: input.ToString(), timeout: TimeSpan.FromMinutes(10));
        Assert.Equal(0, r.ExitCode);
        var result = new Dictionary<ulong, string>();
        var lines = r.Stdout.Split('\n');
        int i = 0;
        for (int k = 0; k < addresses.Count; k++)
        {
            var a = addresses[k];
            while (i < lines.Length && !IsEcho(lines[i], a)) i++;
            Assert.True(i < lines.Length, $"llvm-addr2line output lacks address 0x{a:x}");
            int start = ++i;
            // A record runs until the echo of the next address.
            while (i < lines.Length && !(k + 1 < addresses.Count && IsEcho(lines[i], addresses[k + 1]))) i++;
            result[a] = string.Join('\n', lines[start..i].Where(l => l.Length > 0));
        }
        return result;
    }

    private static bool IsEcho(string line, ulong address) =>
        line.StartsWith("0x", StringComparison.Ordinal) && ulong.TryParse(line.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) && v == address;

    /// <summary>Formats our frames the way llvm-addr2line (GNU output style) prints them.</summary>
    public static string Format(IReadOnlyList<SymbolizedFrame> frames)
    {
        var sb = new StringBuilder();
        foreach (var f in frames)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(f.FunctionName).Append('\n').Append(f.File ?? "??").Append(':').Append(f.File == null ? 0 : f.Line);
            if (f.File != null && f.Discriminator != 0) sb.Append(" (discriminator ").Append(f.Discriminator).Append(')');
        }
        return sb.ToString();
    }

    /// <summary>One line-table row as llvm-dwarfdump --debug-line prints it.</summary>
    public readonly record struct DumpRow(ulong Address, uint Line, uint Column, uint File, uint Isa, uint Discriminator, uint OpIndex, string Flags);

    /// <summary>The rows of every line table in llvm-dwarfdump --debug-line output, keyed by the table's .debug_line offset.</summary>
    public static Dictionary<long, List<DumpRow>> DebugLine(string binary)
    {
        var r = Toolchain.Run(Toolchain.LlvmDwarfdump, ["--debug-line", binary], timeout: TimeSpan.FromMinutes(10));
        Assert.Equal(0, r.ExitCode);
        var tables = new Dictionary<long, List<DumpRow>>();
        List<DumpRow>? current = null;
        foreach (var raw in r.Stdout.Split('\n'))
        {
            if (raw.StartsWith("debug_line[0x", StringComparison.Ordinal))
            {
                long off = long.Parse(raw.AsSpan(13, raw.IndexOf(']') - 13), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                tables[off] = current = [];
                continue;
            }
            if (current == null || !raw.StartsWith("0x", StringComparison.Ordinal)) continue;
            var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 7) continue;
            current.Add(new DumpRow(
                ulong.Parse(parts[0].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                uint.Parse(parts[1], CultureInfo.InvariantCulture), uint.Parse(parts[2], CultureInfo.InvariantCulture),
                uint.Parse(parts[3], CultureInfo.InvariantCulture), uint.Parse(parts[4], CultureInfo.InvariantCulture),
                uint.Parse(parts[5], CultureInfo.InvariantCulture), uint.Parse(parts[6], CultureInfo.InvariantCulture),
                string.Join(' ', parts[7..])));
        }
        return tables;
    }

    /// <summary>Our row in the same shape.</summary>
    public static DumpRow ToDump(DwarfLineRow row)
    {
        var flags = new List<string>();
        if (row.IsStatement) flags.Add("is_stmt");
        if (row.BasicBlock) flags.Add("basic_block");
        if (row.PrologueEnd) flags.Add("prologue_end");
        if (row.EpilogueBegin) flags.Add("epilogue_begin");
        if (row.EndSequence) flags.Add("end_sequence");
        return new DumpRow(row.Address, row.Line, row.Column, row.File, row.Isa, row.Discriminator, row.OpIndex, string.Join(' ', flags));
    }
}
