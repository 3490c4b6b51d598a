using System.Globalization;

namespace TrapDebugger.Traps.Tests.Support;

/// <summary>Reads the text fixtures: one row per line, fields separated by " | ", '#' starts a comment line.</summary>
public static class FixtureFile
{
    public static TheoryData<string[]> Rows(string name, int fields)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        var data = new TheoryData<string[]>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(" | ").Select(p => p.Trim()).ToArray();
            if (parts.Length != fields)
                throw new InvalidDataException($"{name}: expected {fields} fields in '{line}'");
            data.Add(parts);
        }
        return data;
    }

    public static byte[] Hex(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

    public static ulong Number(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : text.StartsWith('-') ? (ulong)long.Parse(text, CultureInfo.InvariantCulture) : ulong.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Parses "rdx=0x8 rsi=4 rip=0x1000" into a register state.</summary>
    public static RegisterState Registers(string text, RegisterState? start = null)
    {
        var state = start ?? new RegisterState();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair == "-") continue;
            var (name, value) = (pair[..pair.IndexOf('=')], Number(pair[(pair.IndexOf('=') + 1)..]));
            state = name switch
            {
                "rflags" => state with { Rflags = value },
                "fs_base" => state with { FsBase = value },
                "gs_base" => state with { GsBase = value },
                _ => state.With(Enum.Parse<Iced.Intel.Register>(name, ignoreCase: true), value),
            };
        }
        return state;
    }
}
