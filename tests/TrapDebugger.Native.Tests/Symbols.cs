using TrapDebugger.Native.Proc;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Native.Tests;

/// <summary>Finds where a symbol of a program lives in a running process, from llvm-nm and /proc/pid/maps.</summary>
internal static class Symbols
{
    /// <summary>The file-relative address (st_value) of <paramref name="symbol"/> as llvm-nm-22 reports it.</summary>
    public static ulong FileAddress(string program, string symbol)
    {
        var r = Toolchain.Run(Toolchain.LlvmNm, ["--defined-only", program]);
        foreach (var line in r.Stdout.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[2] == symbol) return Convert.ToUInt64(parts[0], 16);
        }
        throw new InvalidOperationException($"llvm-nm found no symbol {symbol} in {program}");
    }

    /// <summary>The run-time address of <paramref name="symbol"/> in process <paramref name="pid"/> (PIE load base + st_value).</summary>
    public static ulong RuntimeAddress(int pid, string program, string symbol) => LoadBase(pid, program) + FileAddress(program, symbol);

    /// <summary>The address where the program's first segment (file offset 0) is mapped.</summary>
    public static ulong LoadBase(int pid, string program) =>
        ProcFs.Maps(pid).First(m => m.Path == program && m.Offset == 0).Start;

    /// <summary>The bytes of the program file that are mapped at <paramref name="address"/>.</summary>
    public static byte[] FileBytesAt(int pid, string program, ulong address, int count)
    {
        var region = ProcFs.Maps(pid).First(m => m.Path == program && m.Contains(address));
        using var f = File.OpenRead(program);
        f.Position = (long)(address - region.Start + region.Offset);
        var buffer = new byte[count];
        f.ReadExactly(buffer);
        return buffer;
    }
}
