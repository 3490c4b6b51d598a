using System.Diagnostics;
using System.Globalization;
using TrapDebugger.Dwarf;

// One cold run per process: open BINARY, answer one question, report wall time and peak RSS (VmHWM).
// Usage: DwarfBench BINARY address 0xADDR | DwarfBench BINARY name NAME
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: DwarfBench BINARY (address 0xADDR | name NAME)");
    return 2;
}
var clock = Stopwatch.StartNew();
using var index = SymbolIndex.Open(args[0]);
string answer;
if (args[1] == "address")
{
    ulong address = ulong.Parse(args[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    answer = string.Join(" <- ", index.Symbolize(address).Select(f => $"{f.FunctionName} {f.File}:{f.Line}"));
}
else
{
    answer = string.Join(", ", index.FindFunctions(args[2]).Select(m => $"0x{m.EntryAddress:x}"));
}
clock.Stop();
long peakKb = File.ReadAllLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
    .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
Console.WriteLine($"{clock.Elapsed.TotalMilliseconds:F0} ms, peak {peakKb / 1024} MiB: {answer}");
return 0;
