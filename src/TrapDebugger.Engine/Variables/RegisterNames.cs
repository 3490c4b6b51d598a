using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Values;

namespace TrapDebugger.Engine.Variables;

/// <summary>The 32-, 16- and 8-bit views of the x86-64 general registers ("eax", "ax", "al", "ah", "r8d", …).</summary>
public static class RegisterNames
{
    private static readonly string[] Base = ["ax", "dx", "cx", "bx", "si", "di", "bp", "sp"];

    /// <summary>The register a view belongs to, how to extract it, and its type; null when <paramref name="name"/> is not a view.</summary>
    public static (int Number, int Shift, ulong Mask, DwarfType Type)? SubRegister(string name)
    {
        for (int i = 0; i < Base.Length; i++)
        {
            var b = Base[i];
            if (name == "e" + b) return (i, 0, 0xffff_ffff, BuiltinTypes.UnsignedInt);
            if (name == b) return (i, 0, 0xffff, BuiltinTypes.UnsignedShort);
            if (i < 4 && name == b[..1] + "l") return (i, 0, 0xff, BuiltinTypes.UnsignedChar);
            if (i < 4 && name == b[..1] + "h") return (i, 8, 0xff, BuiltinTypes.UnsignedChar);
            if (i >= 4 && name == b + "l") return (i, 0, 0xff, BuiltinTypes.UnsignedChar);
        }
        if (name.Length >= 2 && name[0] == 'r' && char.IsDigit(name[1]))
        {
            int end = 1;
            while (end < name.Length && char.IsDigit(name[end])) end++;
            if (!int.TryParse(name.AsSpan(1, end - 1), out var n) || n is < 8 or > 15) return null;
            var suffix = name[end..];
            return suffix switch
            {
                "d" => (n, 0, 0xffff_ffff, BuiltinTypes.UnsignedInt),
                "w" => (n, 0, 0xffff, BuiltinTypes.UnsignedShort),
                "b" or "l" => (n, 0, 0xff, BuiltinTypes.UnsignedChar),
                _ => null,
            };
        }
        return null;
    }

    /// <summary>The set flag names of an rflags value, as lldb's register view decodes them ("ZF PF IF").</summary>
    public static string DecodeFlags(ulong flags)
    {
        var names = new List<string>();
        (int Bit, string Name)[] bits = [(0, "CF"), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"), (8, "TF"), (9, "IF"), (10, "DF"), (11, "OF")];
        foreach (var (bit, n) in bits)
        {
            if ((flags >> bit & 1) != 0) names.Add(n);
        }
        return string.Join(' ', names);
    }
}
