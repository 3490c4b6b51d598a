using System.Diagnostics;
using System.Globalization;
using TrapDebugger.Dwarf;

// One cold run per process: open BINARY, answer one question, print where the time went and the peak RSS (VmHWM).
// Usage: DwarfBench BINARY address 0xADDR | DwarfBench BINARY (name | name-full | name-noindex | name-phases) NAME
//   name-full builds the whole name index first (IndexAll), as every name query did before the unit filter;
//   name-noindex ignores .debug_names; name-phases (also without .debug_names) parses every candidate unit's DIE tree
//   first, so the query's own time is what is left: reading attributes and comparing names.
if (args.Length != 3 || args[1] is not ("address" or "name" or "name-full" or "name-noindex" or "name-phases"))
{
    Console.Error.WriteLine("usage: DwarfBench BINARY (address 0xADDR | name NAME | name-full NAME | name-noindex NAME | name-phases NAME)");
    return 2;
}
var total = Stopwatch.StartNew();
var phases = new List<string>();
var clock = Stopwatch.StartNew();
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
void Phase(string what)
{
    var nowCpu = Process.GetCurrentProcess().TotalProcessorTime;
    phases.Add($"{what} {clock.Elapsed.TotalMilliseconds:F0} ms ({(nowCpu - cpu).TotalMilliseconds:F0} ms CPU)");
    clock.Restart();
    cpu = nowCpu;
}
using var index = SymbolIndex.Open(args[0]);
Phase("open");
string answer;
if (args[1] == "address")
{
    ulong address = ulong.Parse(args[2].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    var unit = index.UnitFor(address);
    Phase($"unit ranges ({index.Dwarf.Units.Count} units)");
    int dies = unit?.DieCount ?? 0;
    Phase($"parse one unit ({dies} DIEs)");
    _ = unit?.LineProgram?.Rows.Count;
    Phase("its line program");
    _ = index.Elf.Symbols.FindByAddress(address);
    Phase("ELF symbols");
    answer = string.Join(" <- ", index.Symbolize(address).Select(f => $"{f.FunctionName} {f.File}:{f.Line}"));
    Phase("inline chain and symbolizer symbols");
}
else
{
    if (args[1] == "name-full")
    {
        index.IndexAll();
        Phase("whole name index");
    }
    if (args[1] is "name-noindex" or "name-phases")
        index.UseNameIndex = false;
    else if (index.NameIndexes is { } nameIndexes)
        Phase($".debug_names ({nameIndexes.Count} indexes, {nameIndexes.Sum(i => i.NameCount)} names)");
    if (args[1] == "name-phases")
    {
        var units = index.Dwarf.CompileUnits.ToList();
        long dies = 0;
        Parallel.ForEach(units, u => Interlocked.Add(ref dies, u.DieCount));
        Phase($"parse DIE trees ({units.Count} units, {dies} DIEs)");
    }
    var matches = index.FindFunctions(args[2]);
    Phase($"find ({index.Dwarf.CompileUnits.Count(u => u.IsParsed)} units parsed)");
    answer = string.Join(", ", matches.Select(m => $"0x{m.EntryAddress:x}"));
}
total.Stop();
long peakKb = File.ReadAllLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
    .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
Console.WriteLine($"{total.Elapsed.TotalMilliseconds:F0} ms, peak {peakKb / 1024} MiB: {string.Join(", ", phases)}");
Console.WriteLine(answer);
return 0;
