using System.Globalization;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>stops.txt: code bytes, registers, signal and mappings in; kind, description and decoded fields out.</summary>
public sealed class StopFixtureTests
{
    public static TheoryData<string[]> Rows => FixtureFile.Rows("stops.txt", 8);

    [Theory]
    [MemberData(nameof(Rows))]
    public void DiagnosisMatchesTheRow(string[] row)
    {
        var (name, code, registers, signal, maps, kind, description, checks) = (row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]);
        var memory = new SparseMemory();
        foreach (var block in code.Split(';', StringSplitOptions.TrimEntries))
        {
            var colon = block.IndexOf(':');
            var bytes = block[(colon + 1)..].Trim();
            if (bytes != "-") memory.Add(FixtureFile.Number(block[..colon]), FixtureFile.Hex(bytes));
        }
        var keys = checks == "-" ? [] : checks.Split(' ').Select(c => (Key: c[..c.IndexOf('=')], Value: c[(c.IndexOf('=') + 1)..])).ToList();
        string? Setup(string key) => keys.FirstOrDefault(k => k.Key == key).Value;

        var context = new StopContext
        {
            Registers = FixtureFile.Registers(registers),
            Signal = ParseSignal(signal),
            Memory = memory,
            Regions = maps == "-" ? [] : maps.Split(';', StringSplitOptions.TrimEntries).Select(ParseRegion).ToList(),
            DebuggerBreakpoints = Setup("breakpoint") is { } bp ? new HashSet<ulong> { FixtureFile.Number(bp) } : null,
            ProcessId = Setup("pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            ProducerClangVersion = Setup("clang") is { } clang ? int.Parse(clang, CultureInfo.InvariantCulture) : null,
        };

        var d = StopAnalysis.Diagnose(context);

        Assert.True(Enum.Parse<StopKind>(kind) == d.Kind, $"{name}: expected {kind}, got {d.Kind}: {d.Description}");
        Assert.Contains(description, d.Description);
        foreach (var (key, value) in keys)
        {
            switch (key)
            {
                case "handler": Assert.Equal(value, d.UbsanCheck?.Handler); break;
                case "instruction": Assert.StartsWith(value, d.Instruction); break;
                case "address": Assert.Equal(FixtureFile.Number(value), d.TrapAddress); break;
                case "access": Assert.Equal(Enum.Parse<MemoryAccessKind>(value), d.Fault?.Access); break;
                case "size": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), d.Fault?.Size); break;
                case "base": Assert.Equal(value, d.Fault?.BaseRegister); break;
                case "index": Assert.Equal(value, d.Fault?.IndexRegister); break;
                case "class": Assert.Equal(Enum.Parse<AddressClass>(value), d.Fault?.Class); break;
                case "sender": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), d.SenderPid); break;
                case "breakpoint" or "pid" or "clang": break;
                default: throw new InvalidDataException($"unknown check '{key}' in stops.txt");
            }
        }
    }

    private static SignalInfo ParseSignal(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var number = int.TryParse(parts[0], out var n) ? n : Enumerable.Range(1, 64).First(s => Signals.Name(s) == parts[0]);
        int? pid = null, uid = null;
        foreach (var extra in parts.Skip(3))
        {
            if (extra.StartsWith("pid=", StringComparison.Ordinal)) pid = int.Parse(extra[4..], CultureInfo.InvariantCulture);
            if (extra.StartsWith("uid=", StringComparison.Ordinal)) uid = int.Parse(extra[4..], CultureInfo.InvariantCulture);
        }
        return new SignalInfo(number, int.Parse(parts[1], CultureInfo.InvariantCulture), FixtureFile.Number(parts[2]), pid, uid);
    }

    private static MemoryRegion ParseRegion(string text)
    {
        var parts = text.Split(' ', 3);
        var range = parts[0].Split('-');
        var perms = parts[1];
        return new MemoryRegion(FixtureFile.Number(range[0]), FixtureFile.Number(range[1]),
            perms[0] == 'r', perms[1] == 'w', perms[2] == 'x', perms[3] == 'p', parts.Length > 2 ? parts[2] : "");
    }
}
