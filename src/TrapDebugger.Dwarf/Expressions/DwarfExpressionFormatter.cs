using System.Text;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.Expressions;

/// <summary>Renders a DWARF expression as text in the style of llvm-dwarfdump ("DW_OP_breg7 RSP+8, DW_OP_deref").</summary>
public static class DwarfExpressionFormatter
{
    /// <summary>Formats <paramref name="expression"/>; a malformed tail is rendered as "&lt;decoding error&gt;" rather than thrown.</summary>
    public static string Format(ReadOnlySpan<byte> expression, int addressSize = 8)
    {
        var sb = new StringBuilder();
        var r = new ByteReader(expression, "DWARF expression");
        try
        {
            while (!r.AtEnd)
            {
                if (sb.Length > 0) sb.Append(", ");
                byte op = r.ReadU8();
                sb.Append(DwarfOperationNames.Name(op));
                FormatOperands(ref r, op, addressSize, sb);
            }
        }
        catch (InvalidDataException)
        {
            sb.Append(sb.Length > 0 ? ", " : "").Append("<decoding error>");
        }
        return sb.ToString();
    }

    private static void FormatOperands(ref ByteReader r, byte op, int addressSize, StringBuilder sb)
    {
        var o = (DwarfOperation)op;
        if (op >= (byte)DwarfOperation.Breg0 && op <= (byte)DwarfOperation.Breg31)
        {
            sb.Append(' ').Append(X86_64Registers.Name((ulong)(op - (byte)DwarfOperation.Breg0))).Append(Signed(r.ReadSleb128()));
            return;
        }
        if (op >= (byte)DwarfOperation.Reg0 && op <= (byte)DwarfOperation.Reg31)
        {
            sb.Append(' ').Append(X86_64Registers.Name((ulong)(op - (byte)DwarfOperation.Reg0)));
            return;
        }
        switch (o)
        {
            case DwarfOperation.Addr: sb.Append($" 0x{r.ReadUnsigned(addressSize):x}"); break;
            case DwarfOperation.Const1u or DwarfOperation.Pick or DwarfOperation.DerefSize or DwarfOperation.XderefSize:
                sb.Append($" 0x{r.ReadU8():x}"); break;
            case DwarfOperation.Const1s: sb.Append($" {r.ReadI8()}"); break;
            case DwarfOperation.Const2u or DwarfOperation.Call2: sb.Append($" 0x{r.ReadU16():x}"); break;
            case DwarfOperation.Const2s: sb.Append($" {(short)r.ReadU16()}"); break;
            case DwarfOperation.Skip or DwarfOperation.Bra: sb.Append($" {(short)r.ReadU16()}"); break;
            case DwarfOperation.Const4u or DwarfOperation.Call4: sb.Append($" 0x{r.ReadU32():x}"); break;
            case DwarfOperation.Const4s: sb.Append($" {r.ReadI32()}"); break;
            case DwarfOperation.Const8u: sb.Append($" 0x{r.ReadU64():x}"); break;
            case DwarfOperation.Const8s: sb.Append($" {r.ReadI64()}"); break;
            case DwarfOperation.Constu or DwarfOperation.PlusUconst or DwarfOperation.Piece or DwarfOperation.Addrx
                or DwarfOperation.Constx or DwarfOperation.GnuAddrIndex or DwarfOperation.GnuConstIndex or DwarfOperation.Convert
                or DwarfOperation.Reinterpret or DwarfOperation.GnuConvert or DwarfOperation.GnuReinterpret:
                sb.Append($" 0x{r.ReadUleb128():x}"); break;
            case DwarfOperation.Consts or DwarfOperation.Fbreg: sb.Append($" {r.ReadSleb128()}"); break;
            case DwarfOperation.Regx: sb.Append(' ').Append(X86_64Registers.Name(r.ReadUleb128())); break;
            case DwarfOperation.Bregx:
                sb.Append(' ').Append(X86_64Registers.Name(r.ReadUleb128())).Append(Signed(r.ReadSleb128())); break;
            case DwarfOperation.BitPiece: sb.Append($" 0x{r.ReadUleb128():x} 0x{r.ReadUleb128():x}"); break;
            case DwarfOperation.CallRef or DwarfOperation.GnuParameterRef: sb.Append($" 0x{r.ReadU32():x}"); break;
            case DwarfOperation.ImplicitValue:
                {
                    ulong n = r.ReadUleb128();
                    if (n > (ulong)r.Remaining) throw new InvalidDataException("implicit value runs past the end");
                    sb.Append($" 0x{n:x}");
                    foreach (byte b in r.ReadBytes((int)n)) sb.Append($" 0x{b:x2}");
                    break;
                }
            case DwarfOperation.ImplicitPointer or DwarfOperation.GnuImplicitPointer:
                sb.Append($" 0x{r.ReadU32():x} {r.ReadSleb128()}"); break;
            case DwarfOperation.EntryValue or DwarfOperation.GnuEntryValue:
                {
                    ulong n = r.ReadUleb128();
                    if (n > (ulong)r.Remaining) throw new InvalidDataException("entry value runs past the end");
                    sb.Append(" (").Append(Format(r.ReadBytes((int)n), addressSize)).Append(')');
                    break;
                }
            case DwarfOperation.ConstType or DwarfOperation.GnuConstType:
                {
                    sb.Append($" 0x{r.ReadUleb128():x}");
                    int n = r.ReadU8();
                    foreach (byte b in r.ReadBytes(n)) sb.Append($" 0x{b:x2}");
                    break;
                }
            case DwarfOperation.RegvalType or DwarfOperation.GnuRegvalType:
                sb.Append(' ').Append(X86_64Registers.Name(r.ReadUleb128())).Append($" 0x{r.ReadUleb128():x}"); break;
            case DwarfOperation.DerefType or DwarfOperation.GnuDerefType or DwarfOperation.XderefType:
                sb.Append($" 0x{r.ReadU8():x} 0x{r.ReadUleb128():x}"); break;
            case DwarfOperation.GnuEncodedAddr: sb.Append($" 0x{r.ReadU8():x}"); break;
        }
    }

    private static string Signed(long v) => v >= 0 ? $"+{v}" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
