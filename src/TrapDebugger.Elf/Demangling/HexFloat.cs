using System.Globalization;
using System.Text;

namespace TrapDebugger.Elf.Demangling;

/// <summary>Formats the hexadecimal float literals of mangled template arguments the way printf("%a") does.</summary>
internal static class HexFloat
{
    public static string FormatFloat(string hex)
    {
        uint bits = uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return Format(BitConverter.DoubleToUInt64Bits(BitConverter.UInt32BitsToSingle(bits)));
    }

    public static string FormatDouble(string hex) => Format(ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static string Format(ulong bits)
    {
        double d = BitConverter.UInt64BitsToDouble(bits);
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var sb = new StringBuilder();
        if ((bits >> 63) != 0) sb.Append('-');
        int exponent = (int)((bits >> 52) & 0x7ff);
        ulong mantissa = bits & 0xfffffffffffff;
        if (exponent == 0 && mantissa == 0) return sb.Append("0x0p+0").ToString();
        int e = exponent == 0 ? -1022 : exponent - 1023;
        sb.Append(exponent == 0 ? "0x0" : "0x1");
        string m = mantissa.ToString("x13", CultureInfo.InvariantCulture).TrimEnd('0');
        if (m.Length > 0) sb.Append('.').Append(m);
        sb.Append('p').Append(e >= 0 ? "+" : "").Append(e.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
