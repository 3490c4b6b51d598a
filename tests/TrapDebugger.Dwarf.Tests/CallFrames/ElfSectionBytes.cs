using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests.CallFrames;

/// <summary>A section's bytes and load address, taken from a real binary with llvm-readelf's section table.</summary>
internal sealed record ElfSectionBytes(string Name, ulong Address, byte[] Bytes)
{
    private static readonly Regex Row = new(@"\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)", RegexOptions.Compiled);

    /// <summary>Reads every section header of <paramref name="path"/> and returns the named section, or null when absent.</summary>
    public static ElfSectionBytes? Read(string path, string name)
    {
        var r = Toolchain.Run(Toolchain.Find("llvm-readelf-22"), ["-S", "--wide", path]);
        Assert.Equal(0, r.ExitCode);
        foreach (var line in r.Stdout.Split('\n'))
        {
            var m = Row.Match(line);
            if (!m.Success || m.Groups[1].Value != name) continue;
            ulong address = ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            long offset = long.Parse(m.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int size = int.Parse(m.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            using var f = File.OpenRead(path);
            f.Position = offset;
            var bytes = new byte[size];
            f.ReadExactly(bytes);
            return new ElfSectionBytes(name, address, bytes);
        }
        return null;
    }
}
