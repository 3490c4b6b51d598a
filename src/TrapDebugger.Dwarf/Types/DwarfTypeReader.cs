namespace TrapDebugger.Dwarf.Types;

/// <summary>Builds <see cref="DwarfType"/> models from type DIEs, once per DIE, following self-references safely.</summary>
/// <remarks>Types are cached by DIE offset: a composite is cached before its members are read, so a list node whose
/// member points to its own type resolves to the same object instead of recursing. Non-composite cycles (only in
/// corrupt DWARF) end in an unspecified type named "&lt;cycle&gt;". Safe to call from several threads.</remarks>
public sealed class DwarfTypeReader
{
    private const int MaxNesting = 256;
    private readonly Dictionary<(DwarfUnit Unit, long Offset), DwarfType> _cache = [];
    private readonly HashSet<(DwarfUnit Unit, long Offset)> _inProgress = [];
    private readonly Dictionary<DwarfUnit, DwarfLanguage> _languages = [];
    private readonly Lock _gate = new();
    private int _nesting;

    /// <summary>The type of the entity <paramref name="die"/> describes (its DW_AT_type), or null for void / none.</summary>
    public DwarfType? TypeOf(DwarfDie die)
    {
        var reference = die.Find(DwarfAttribute.Type)?.AsReference();
        if (reference is null && die.Find(DwarfAttribute.AbstractOrigin)?.AsReference() is { } origin)
            return TypeOf(origin);
        if (reference is null && die.Find(DwarfAttribute.Specification)?.AsReference() is { } spec)
            return TypeOf(spec);
        return reference is { } r ? Read(r) : null;
    }

    /// <summary>The type described by the type DIE <paramref name="die"/>.</summary>
    public DwarfType Read(DwarfDie die)
    {
        lock (_gate)
        {
            return ReadLocked(die);
        }
    }

    private DwarfType ReadLocked(DwarfDie die)
    {
        var key = (die.Unit, die.Offset);
        if (_cache.TryGetValue(key, out var cached)) return cached;
        if (!_inProgress.Add(key) || _nesting > MaxNesting)
            return new UnspecifiedType { Name = "<cycle>", DieOffset = (ulong)die.Offset };
        _nesting++;
        try
        {
            var type = Build(die, key);
            _cache[key] = type;
            return type;
        }
        catch (InvalidDataException e)
        {
            // A malformed type DIE spoils only values of that type, not the whole frame.
            var bad = new UnspecifiedType { Name = $"<bad type: {e.Message}>", DieOffset = (ulong)die.Offset };
            _cache[key] = bad;
            return bad;
        }
        finally
        {
            _nesting--;
            _inProgress.Remove(key);
        }
    }

    private DwarfLanguage LanguageOf(DwarfUnit unit)
    {
        if (_languages.TryGetValue(unit, out var known)) return known;
        var language = new DwarfLanguage((ushort)(unit.Root.Find(DwarfAttribute.Language)?.AsUnsigned() ?? 0));
        _languages[unit] = language;
        return language;
    }

    private DwarfType? Referenced(DwarfDie die)
    {
        var r = die.Find(DwarfAttribute.Type)?.AsReference();
        return r is { } d ? ReadLocked(d) : null;
    }

    // The language and stated alignment of the DIE being built (set by Build before any constructor reads them; a
    // nested Build of a referenced type saves and restores them).
    private DwarfLanguage _language;
    private ulong? _alignment;

    private DwarfType Build(DwarfDie die, (DwarfUnit, long) key)
    {
        var (outerLanguage, outerAlignment) = (_language, _alignment);
        _language = LanguageOf(die.Unit);
        _alignment = die.Find(DwarfAttribute.Alignment) is { IsConstant: true } stated && stated.AsUnsigned() is > 0 and <= 4096 and var a ? a : null;
        try
        {
            return BuildCore(die, key);
        }
        finally
        {
            (_language, _alignment) = (outerLanguage, outerAlignment);
        }
    }

    private DwarfType BuildCore(DwarfDie die, (DwarfUnit, long) key)
    {
        ulong offset = (ulong)die.Offset;
        ulong? byteSize = die.Find(DwarfAttribute.ByteSize) is { IsConstant: true } bs ? bs.AsUnsigned() : null;
        switch (die.Tag)
        {
            case DwarfTag.BaseType:
                return new BaseType
                {
                    Name = die.Name,
                    ByteSize = byteSize ?? 0,
                    Encoding = (BaseTypeEncoding)(die.Find(DwarfAttribute.Encoding)?.AsUnsigned() ?? 0),
                    DieOffset = offset, Language = _language, Alignment = _alignment,
                };
            case DwarfTag.PointerType:
                // Cached before its pointee, like a composite: `struct node *` read first reaches struct node, whose
                // `next` member is this same pointer type. Rust names its pointers ("&i32", "*const u8",
                // "alloc::boxed::Box<T, A>"); C and C++ leave them unnamed.
                var pointer = new PointerType { ByteSize = byteSize ?? 8, DieOffset = offset, Language = _language, Alignment = _alignment, Name = die.Name };
                _cache[key] = pointer;
                pointer.ResolvePointee(Referenced(die));
                return pointer;
            case DwarfTag.ReferenceType:
            case DwarfTag.RvalueReferenceType:
                return new ReferenceType { Referent = Referenced(die), IsRvalue = die.Tag == DwarfTag.RvalueReferenceType, ByteSize = byteSize ?? 8, DieOffset = offset, Language = _language, Alignment = _alignment };
            case DwarfTag.ConstType:
            case DwarfTag.VolatileType:
            case DwarfTag.RestrictType:
            case DwarfTag.AtomicType:
                return new QualifiedType
                {
                    Qualifier = die.Tag switch
                    {
                        DwarfTag.ConstType => TypeQualifier.Const,
                        DwarfTag.VolatileType => TypeQualifier.Volatile,
                        DwarfTag.RestrictType => TypeQualifier.Restrict,
                        _ => TypeQualifier.Atomic,
                    },
                    Target = Referenced(die),
                    DieOffset = offset, Language = _language, Alignment = _alignment,
                };
            case DwarfTag.Typedef:
            case DwarfTag.TemplateAlias:
                return new TypedefType { Name = QualifiedName(die), Target = Referenced(die), DieOffset = offset, Language = _language, Alignment = _alignment };
            case DwarfTag.StructureType:
            case DwarfTag.ClassType:
            case DwarfTag.UnionType:
                return BuildComposite(die, key, byteSize);
            case DwarfTag.ArrayType:
                return BuildArray(die, offset);
            case DwarfTag.EnumerationType:
                return BuildEnum(die, offset, byteSize);
            case DwarfTag.SubroutineType:
                {
                    var parameters = new List<DwarfType?>();
                    bool variadic = false;
                    foreach (var child in die.Children)
                    {
                        if (child.Tag == DwarfTag.FormalParameter) parameters.Add(Referenced(child));
                        else if (child.Tag == DwarfTag.UnspecifiedParameters) variadic = true;
                    }
                    return new SubroutineType { ReturnType = Referenced(die), Parameters = parameters, IsVariadic = variadic, DieOffset = offset, Language = _language, Alignment = _alignment };
                }
            case DwarfTag.PtrToMemberType:
                return new PointerToMemberType
                {
                    MemberType = Referenced(die),
                    ContainingType = die.Find(DwarfAttribute.ContainingType)?.AsReference() is { } ct ? ReadLocked(ct) : null,
                    ByteSize = byteSize ?? 8,
                    DieOffset = offset, Language = _language, Alignment = _alignment,
                };
            case DwarfTag.UnspecifiedType:
                return new UnspecifiedType { Name = die.Name ?? "void", ByteSize = byteSize ?? 0, DieOffset = offset, Language = _language, Alignment = _alignment };
            default:
                return new UnspecifiedType { Name = $"<unsupported type {die.Tag}>", ByteSize = byteSize ?? 0, DieOffset = offset, Language = _language, Alignment = _alignment };
        }
    }

    private CompositeType BuildComposite(DwarfDie die, (DwarfUnit, long) key, ulong? byteSize)
    {
        var kind = die.Tag switch
        {
            DwarfTag.ClassType => DwarfTypeKind.Class,
            DwarfTag.UnionType => DwarfTypeKind.Union,
            _ => DwarfTypeKind.Structure,
        };
        bool declaration = die.Find(DwarfAttribute.Declaration)?.AsFlag() == true;
        // A declaration that names its type unit by signature is completed from there.
        if (declaration && die.Find(DwarfAttribute.Signature)?.AsReference() is { } definition && definition.Offset != die.Offset)
        {
            var full = ReadLocked(definition);
            if (full is CompositeType c) return c;
        }
        var type = new CompositeType(kind)
        {
            Name = die.Name is null ? null : QualifiedName(die),
            ByteSize = byteSize ?? 0,
            IsDeclaration = declaration,
            PassedByReference = die.Find(DwarfAttribute.CallingConvention)?.AsUnsigned() == 4,
            DieOffset = (ulong)die.Offset, Language = _language, Alignment = _alignment,
        };
        _cache[key] = type;
        foreach (var child in die.Children)
        {
            switch (child.Tag)
            {
                case DwarfTag.Member:
                    // Static members are declarations with no location; they are not part of the object.
                    if (child.Find(DwarfAttribute.Declaration)?.AsFlag() == true || child.Has(DwarfAttribute.External)) break;
                    type.AddMember(Member(child));
                    break;
                case DwarfTag.Inheritance:
                    {
                        bool isVirtual = (child.Find(DwarfAttribute.Virtuality)?.AsUnsigned() ?? 0) != 0;
                        type.AddBase(new BaseClass(Referenced(child), isVirtual ? 0 : MemberOffset(child), isVirtual)
                        {
                            OffsetExpression = MemberLocationExpression(child),
                        });
                        break;
                    }
                case DwarfTag.TemplateTypeParameter:
                    type.AddTemplateParameter(new TemplateParameter(child.Name, Referenced(child), null));
                    break;
                case DwarfTag.TemplateValueParameter:
                    type.AddTemplateParameter(new TemplateParameter(child.Name, Referenced(child),
                        child.Find(DwarfAttribute.ConstValue) is { IsConstant: true } cv ? cv.AsSigned() : null));
                    break;
                case DwarfTag.GnuTemplateParameterPack:
                    // A pack's arguments count as parameters in order: std::variant<int, double> has the pack {int, double}.
                    foreach (var argument in child.Children)
                    {
                        if (argument.Tag == DwarfTag.TemplateTypeParameter)
                            type.AddTemplateParameter(new TemplateParameter(child.Name, Referenced(argument), null));
                        else if (argument.Tag == DwarfTag.TemplateValueParameter)
                            type.AddTemplateParameter(new TemplateParameter(child.Name, Referenced(argument),
                                argument.Find(DwarfAttribute.ConstValue) is { IsConstant: true } packed ? packed.AsSigned() : null));
                    }
                    break;
                case DwarfTag.VariantPart:
                    type.SetVariantPart(BuildVariantPart(child));
                    break;
            }
        }
        return type;
    }

    private DataMember Member(DwarfDie member)
    {
        var memberType = Referenced(member);
        ulong location = MemberOffset(member);
        int? bitSize = member.Find(DwarfAttribute.BitSize) is { } b ? (int)Math.Min(b.AsUnsigned(), 64) : null;
        int bitOffset = 0;
        if (bitSize is { } bits)
        {
            ulong totalBits;
            if (member.Find(DwarfAttribute.DataBitOffset) is { } dbo)
            {
                totalBits = dbo.AsUnsigned();
            }
            else if (member.Find(DwarfAttribute.BitOffset) is { } oldOffset)
            {
                // DWARF 2/3 count from the most significant bit of a storage unit of DW_AT_byte_size bytes.
                ulong storage = member.Find(DwarfAttribute.ByteSize)?.AsUnsigned() ?? memberType?.Canonical.ByteSize ?? 4;
                totalBits = location * 8 + storage * 8 - oldOffset.AsUnsigned() - (ulong)bits;
            }
            else
            {
                totalBits = location * 8;
            }
            location = totalBits / 8;
            bitOffset = (int)(totalBits % 8);
        }
        return new DataMember(member.Name, memberType, location, bitSize, bitOffset)
        {
            IsArtificial = member.Find(DwarfAttribute.Artificial)?.AsFlag() == true,
        };
    }

    // DW_AT_discr names the member (a child of the variant part) holding the discriminant; each DW_TAG_variant lists the
    // values selecting it (DW_AT_discr_value, or DW_AT_discr_list labels and ranges) and its members.
    private VariantPart BuildVariantPart(DwarfDie part)
    {
        DataMember? discriminant = null;
        var discrDie = part.Reference(DwarfAttribute.Discr);
        var variants = new List<Variant>();
        foreach (var child in part.Children)
        {
            if (child.Tag == DwarfTag.Member && (discrDie is null || child == discrDie))
            {
                discriminant ??= Member(child);
            }
            else if (child.Tag == DwarfTag.Variant)
            {
                var members = new List<DataMember>();
                foreach (var m in child.Children)
                {
                    if (m.Tag == DwarfTag.Member && m.Find(DwarfAttribute.Declaration)?.AsFlag() != true) members.Add(Member(m));
                }
                variants.Add(new Variant(DiscriminantValues(child, discriminant), members));
            }
        }
        if (discriminant is null && discrDie is { } d && d.Tag == DwarfTag.Member) discriminant = Member(d);
        return new VariantPart(discriminant, variants);
    }

    private static List<DiscriminantRange> DiscriminantValues(DwarfDie variant, DataMember? discriminant)
    {
        var values = new List<DiscriminantRange>();
        if (variant.Find(DwarfAttribute.DiscrValue) is { } single)
        {
            if (single.IsConstant)
            {
                ulong raw = single.Form is DwarfForm.Sdata ? (ulong)single.AsSigned() : single.AsUnsigned();
                values.Add(new DiscriminantRange(raw, raw));
            }
            else if (single.HasBytes && single.AsBytes().Length is > 0 and <= 16)
            {
                // A 128-bit discriminant (DW_FORM_data16): its low 64 bits, as the discriminant member is read.
                Span<byte> low = stackalloc byte[8];
                low.Clear();
                var bytes = single.AsBytes().Span;
                bytes[..Math.Min(8, bytes.Length)].CopyTo(low);
                ulong raw = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(low);
                values.Add(new DiscriminantRange(raw, raw));
            }
        }
        else if (variant.Find(DwarfAttribute.DiscrList) is { HasBytes: true } list)
        {
            bool signed = discriminant?.Type?.Canonical is BaseType { IsSigned: true } or EnumerationType { IsSigned: true };
            var reader = new Elf.ByteReader(list.AsBytes().Span, "DW_AT_discr_list");
            while (!reader.AtEnd)
            {
                byte kind = reader.ReadU8();
                ulong low = signed ? (ulong)reader.ReadSleb128() : reader.ReadUleb128();
                ulong high = kind == 1 ? (signed ? (ulong)reader.ReadSleb128() : reader.ReadUleb128()) : low;
                values.Add(new DiscriminantRange(low, high));
            }
        }
        return values;
    }

    private static ulong MemberOffset(DwarfDie member)
    {
        if (member.Find(DwarfAttribute.DataMemberLocation) is not { } loc) return 0;
        if (loc.IsConstant) return loc.AsUnsigned();
        // DWARF 2 producers wrote the offset as an expression: DW_OP_plus_uconst n.
        var bytes = loc.AsBytes().Span;
        if (bytes.Length >= 2 && bytes[0] == 0x23)
        {
            var reader = new Elf.ByteReader(bytes[1..], "DW_AT_data_member_location");
            return reader.ReadUleb128();
        }
        return 0;
    }

    // A location that is a DWARF expression other than "DW_OP_plus_uconst n" needs the object's address (virtual bases
    // read their offset from the vtable); it is kept for the evaluator, bounded like any other attribute.
    private static ReadOnlyMemory<byte> MemberLocationExpression(DwarfDie member)
    {
        if (member.Find(DwarfAttribute.DataMemberLocation) is not { } loc || loc.IsConstant || !loc.HasBytes) return ReadOnlyMemory<byte>.Empty;
        var bytes = loc.AsBytes();
        if (bytes.Length >= 2 && bytes.Span[0] == 0x23)
        {
            var reader = new Elf.ByteReader(bytes.Span[1..], "DW_AT_data_member_location");
            reader.ReadUleb128();
            if (reader.AtEnd) return ReadOnlyMemory<byte>.Empty;
        }
        return bytes;
    }

    private ArrayType BuildArray(DwarfDie die, ulong offset)
    {
        var dims = new List<ulong?>();
        foreach (var child in die.Children)
        {
            if (child.Tag is not (DwarfTag.SubrangeType or DwarfTag.EnumerationType)) continue;
            if (child.Find(DwarfAttribute.Count) is { IsConstant: true } count)
            {
                dims.Add(count.AsUnsigned());
            }
            else if (child.Find(DwarfAttribute.UpperBound) is { IsConstant: true } upper)
            {
                long lower = child.Find(DwarfAttribute.LowerBound) is { IsConstant: true } lb ? lb.AsSigned() : 0;
                long hi = upper.AsSigned();
                dims.Add(hi >= lower ? (ulong)(hi - lower + 1) : 0UL);
            }
            else
            {
                dims.Add(null);
            }
        }
        if (dims.Count == 0) dims.Add(null);
        return new ArrayType { Element = Referenced(die), Dimensions = dims, DieOffset = offset, Language = _language, Alignment = _alignment, Name = die.Name };
    }

    private EnumerationType BuildEnum(DwarfDie die, ulong offset, ulong? byteSize)
    {
        var underlying = Referenced(die);
        bool unsigned = underlying?.Canonical is BaseType { IsSigned: false };
        var enumerators = new List<Enumerator>();
        foreach (var child in die.Children)
        {
            if (child.Tag != DwarfTag.Enumerator || child.Name is not { } name) continue;
            var cv = child.Find(DwarfAttribute.ConstValue);
            if (cv is null) continue;
            long value = unsigned || cv.Value.Form is DwarfForm.Udata ? (long)cv.Value.AsUnsigned() : cv.Value.AsSigned();
            enumerators.Add(new Enumerator(name, value));
        }
        return new EnumerationType
        {
            Name = die.Name is null ? null : QualifiedName(die),
            ByteSize = byteSize ?? underlying?.ByteSize ?? 4,
            Underlying = underlying,
            Enumerators = enumerators,
            IsScoped = die.Find(DwarfAttribute.EnumClass)?.AsFlag() == true,
            DieOffset = offset, Language = _language, Alignment = _alignment,
        };
    }

    /// <summary>The name of <paramref name="die"/> qualified by its enclosing namespaces and classes ("std::__1::vector&lt;int&gt;").</summary>
    public static string? QualifiedName(DwarfDie die)
    {
        if (die.Name is not { } name) return null;
        var parts = new List<string> { name };
        var parent = die.Parent;
        for (int guard = 0; parent is { } p && guard < 64; guard++, parent = p.Parent)
        {
            if (p.Tag == DwarfTag.Namespace) parts.Add(p.Name ?? "(anonymous namespace)");
            else if (p.Tag is DwarfTag.StructureType or DwarfTag.ClassType or DwarfTag.UnionType) parts.Add(p.Name ?? "(anonymous)");
            else if (p.Tag is DwarfTag.Subprogram or DwarfTag.CompileUnit or DwarfTag.PartialUnit or DwarfTag.TypeUnit) break;
        }
        parts.Reverse();
        return string.Join("::", parts);
    }
}
