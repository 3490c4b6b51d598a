using System.Text;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>One decoded attribute of a DIE: its name, form and raw value, with conversions that resolve string, address and reference forms through the unit.</summary>
/// <remarks>Unknown attribute names are kept with their value; only the form decides how the bytes are read.</remarks>
public readonly struct DwarfAttributeValue
{
    private readonly int _dataOffset;
    private readonly int _dataLength;

    private DwarfAttributeValue(DwarfUnit unit, DwarfAttribute name, DwarfForm form, ulong raw, int dataOffset = -1, int dataLength = 0)
    {
        Unit = unit;
        Name = name;
        Form = form;
        RawValue = raw;
        _dataOffset = dataOffset;
        _dataLength = dataLength;
    }

    /// <summary>The unit whose DIE carries the attribute.</summary>
    public DwarfUnit Unit { get; }

    /// <summary>The attribute name (DW_AT_*).</summary>
    public DwarfAttribute Name { get; }

    /// <summary>The form the value is encoded in (after resolving DW_FORM_indirect).</summary>
    public DwarfForm Form { get; }

    /// <summary>The value as stored: a constant, flag, address, index, section offset, or section offset of a referenced DIE (unit-relative references already rebased).</summary>
    public ulong RawValue { get; }

    /// <summary>True for block, exprloc, data16 and inline-string forms, whose value is a byte range.</summary>
    public bool HasBytes => _dataOffset >= 0;

    /// <summary>True for forms that hold an address (DW_FORM_addr, addrx*).</summary>
    public bool IsAddress => Form is DwarfForm.Addr or DwarfForm.Addrx or DwarfForm.Addrx1 or DwarfForm.Addrx2 or DwarfForm.Addrx3 or DwarfForm.Addrx4 or DwarfForm.GnuAddrIndex;

    /// <summary>True for forms of the constant class (data*, sdata, udata, implicit_const).</summary>
    public bool IsConstant => Form is DwarfForm.Data1 or DwarfForm.Data2 or DwarfForm.Data4 or DwarfForm.Data8 or DwarfForm.Sdata or DwarfForm.Udata or DwarfForm.ImplicitConst;

    /// <summary>True for forms that reference another DIE.</summary>
    public bool IsReference => Form is DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata or DwarfForm.RefAddr or DwarfForm.RefSig8;

    /// <summary>True for forms that hold a location or range list (sec_offset, loclistx, rnglistx, or a DWARF 2–3 data4/data8 offset).</summary>
    public bool IsListReference => Form is DwarfForm.SecOffset or DwarfForm.Loclistx or DwarfForm.Rnglistx
        || (Unit.Version < 4 && Form is DwarfForm.Data4 or DwarfForm.Data8);

    /// <summary>True for forms of the string class.</summary>
    public bool IsString => Form is DwarfForm.String or DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.Strx or DwarfForm.Strx1
        or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 or DwarfForm.GnuStrIndex;

    /// <summary>The value as an unsigned constant (flags, constants, indexes, offsets).</summary>
    public ulong AsUnsigned() => RawValue;

    /// <summary>The value as a signed constant (sign-extended for data1/2/4 and exact for sdata and implicit_const).</summary>
    public long AsSigned() => Form switch
    {
        DwarfForm.Data1 => (sbyte)RawValue,
        DwarfForm.Data2 => (short)RawValue,
        DwarfForm.Data4 => (int)RawValue,
        _ => (long)RawValue,
    };

    /// <summary>The value as a flag.</summary>
    public bool AsFlag() => RawValue != 0;

    /// <summary>The value as an address, resolving DW_FORM_addrx through .debug_addr.</summary>
    public ulong AsAddress() => Form is DwarfForm.Addr ? RawValue
        : IsAddress ? Unit.ReadIndexedAddress(RawValue)
        : RawValue;

    /// <summary>The value as a string; null when the form is not a string form.</summary>
    public string? AsString() => Form switch
    {
        DwarfForm.String => Encoding.UTF8.GetString(Unit.SectionData.Span.Slice(_dataOffset, _dataLength)),
        DwarfForm.Strp => Unit.File.ReadStr(RawValue),
        DwarfForm.LineStrp => Unit.File.ReadLineStr(RawValue),
        DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 or DwarfForm.GnuStrIndex => Unit.ReadIndexedString(RawValue),
        _ => null,
    };

    /// <summary>True when this string value is exactly <paramref name="utf8"/>, compared as bytes where the string lies
    /// (the DIE, .debug_str or .debug_line_str) without decoding it; false for forms that are not strings.</summary>
    public bool StringEquals(ReadOnlySpan<byte> utf8)
    {
        ReadOnlySpan<byte> section;
        ulong offset;
        string sectionName;
        switch (Form)
        {
            case DwarfForm.String:
                return Unit.SectionData.Span.Slice(_dataOffset, _dataLength).SequenceEqual(utf8);
            case DwarfForm.Strp:
                section = Unit.File.Sections.Str.Span;
                (offset, sectionName) = (RawValue, ".debug_str");
                break;
            case DwarfForm.LineStrp:
                section = Unit.File.Sections.LineStr.Span;
                (offset, sectionName) = (RawValue, ".debug_line_str");
                break;
            case DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4 or DwarfForm.GnuStrIndex:
                section = Unit.File.Sections.Str.Span;
                (offset, sectionName) = (Unit.ReadIndexedStringOffset(RawValue), ".debug_str");
                break;
            default:
                return false;
        }
        if (offset >= (ulong)section.Length)
            throw ReadError.InFile(Unit.File.Sections.FileName,
                DwarfError.At(sectionName, (long)Math.Min(offset, long.MaxValue), $"string offset is outside the {section.Length}-byte section"));
        var rest = section[(int)offset..];
        return rest.Length > utf8.Length && rest[utf8.Length] == 0 && rest.StartsWith(utf8);
    }

    /// <summary>The bytes of a block, exprloc, data16 or inline string value (empty for other forms).</summary>
    public ReadOnlyMemory<byte> AsBytes() => _dataOffset >= 0 ? Unit.SectionData.Slice(_dataOffset, _dataLength) : ReadOnlyMemory<byte>.Empty;

    /// <summary>The referenced DIE (ref1–8, ref_udata, ref_addr, ref_sig8), or null if the reference leads nowhere.</summary>
    public DwarfDie? AsReference()
    {
        switch (Form)
        {
            case DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefUdata:
                return Unit.DieAt((long)RawValue);
            case DwarfForm.RefAddr:
                return Unit.SectionName == ".debug_info" ? Unit.File.DieAt((long)RawValue) : null;
            case DwarfForm.RefSig8:
                return Unit.File.TypeUnit(RawValue)?.TypeDie;
            default:
                return null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Form}) 0x{RawValue:x}";

    /// <summary>Decodes one value of <paramref name="spec"/> at the reader's position.</summary>
    internal static DwarfAttributeValue Read(ref ByteReader r, DwarfUnit unit, DwarfAttributeSpec spec)
    {
        var form = spec.Form;
        int at = r.Position;
        if (form == DwarfForm.Indirect)
        {
            ulong actual = r.ReadUleb128();
            if (actual == (ulong)DwarfForm.Indirect || actual == (ulong)DwarfForm.ImplicitConst || actual > ushort.MaxValue)
                throw DwarfError.At(r.Origin, at, $"DW_FORM_indirect names form 0x{actual:x}, which cannot be used indirectly");
            form = (DwarfForm)actual;
        }
        var name = spec.Name;
        switch (form)
        {
            case DwarfForm.Addr: return new(unit, name, form, r.ReadUnsigned(unit.AddressSize));
            case DwarfForm.Data1 or DwarfForm.Flag or DwarfForm.Strx1 or DwarfForm.Addrx1: return new(unit, name, form, r.ReadU8());
            case DwarfForm.Data2 or DwarfForm.Strx2 or DwarfForm.Addrx2: return new(unit, name, form, r.ReadU16());
            case DwarfForm.Strx3 or DwarfForm.Addrx3: return new(unit, name, form, r.ReadU24());
            case DwarfForm.Data4 or DwarfForm.Strx4 or DwarfForm.Addrx4 or DwarfForm.RefSup4: return new(unit, name, form, r.ReadU32());
            case DwarfForm.Data8 or DwarfForm.RefSig8 or DwarfForm.RefSup8: return new(unit, name, form, r.ReadU64());
            case DwarfForm.Ref1: return new(unit, name, form, (ulong)unit.Offset + r.ReadU8());
            case DwarfForm.Ref2: return new(unit, name, form, (ulong)unit.Offset + r.ReadU16());
            case DwarfForm.Ref4: return new(unit, name, form, (ulong)unit.Offset + r.ReadU32());
            case DwarfForm.Ref8: return new(unit, name, form, (ulong)unit.Offset + r.ReadU64());
            case DwarfForm.RefUdata: return new(unit, name, form, (ulong)unit.Offset + r.ReadUleb128());
            case DwarfForm.Data16: { int o = r.Position; r.Skip(16); return new(unit, name, form, 0, o, 16); }
            case DwarfForm.FlagPresent: return new(unit, name, form, 1);
            case DwarfForm.ImplicitConst: return new(unit, name, form, (ulong)spec.ImplicitConst);
            case DwarfForm.Sdata: return new(unit, name, form, (ulong)r.ReadSleb128());
            case DwarfForm.Udata or DwarfForm.Strx or DwarfForm.Addrx or DwarfForm.Loclistx or DwarfForm.Rnglistx
                or DwarfForm.GnuAddrIndex or DwarfForm.GnuStrIndex:
                return new(unit, name, form, r.ReadUleb128());
            case DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.SecOffset or DwarfForm.StrpSup or DwarfForm.GnuRefAlt or DwarfForm.GnuStrpAlt:
                return new(unit, name, form, r.ReadUnsigned(unit.OffsetSize));
            case DwarfForm.RefAddr:
                return new(unit, name, form, r.ReadUnsigned(unit.Version <= 2 ? unit.AddressSize : unit.OffsetSize));
            case DwarfForm.String:
            {
                int o = r.Position;
                int len = r.Data[o..].IndexOf((byte)0);
                if (len < 0) throw DwarfError.At(r.Origin, o, "inline string is not NUL-terminated");
                r.Skip(len + 1);
                return new(unit, name, form, 0, o, len);
            }
            case DwarfForm.Block1: return Block(ref r, unit, name, form, r.ReadU8());
            case DwarfForm.Block2: return Block(ref r, unit, name, form, r.ReadU16());
            case DwarfForm.Block4: return Block(ref r, unit, name, form, r.ReadU32());
            case DwarfForm.Block or DwarfForm.Exprloc: return Block(ref r, unit, name, form, r.ReadUleb128());
            default:
                throw DwarfError.At(r.Origin, at, $"unknown attribute form 0x{(ushort)form:x} for attribute 0x{(ushort)name:x}");
        }
    }

    private static DwarfAttributeValue Block(ref ByteReader r, DwarfUnit unit, DwarfAttribute name, DwarfForm form, ulong length)
    {
        int o = r.Position;
        if (length > (ulong)r.Remaining)
            throw DwarfError.At(r.Origin, o, $"block of {length} bytes runs past the end of the unit");
        r.Skip((long)length);
        return new(unit, name, form, length, o, (int)length);
    }
}
