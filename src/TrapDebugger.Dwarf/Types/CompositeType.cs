namespace TrapDebugger.Dwarf.Types;

/// <summary>A struct, class or union (DW_TAG_structure_type, DW_TAG_class_type, DW_TAG_union_type).</summary>
/// <remarks>Members, bases and template parameters are added after construction so a composite can contain pointers
/// to itself; once the builder hands it out it is not changed again.</remarks>
public sealed class CompositeType : DwarfType
{
    private readonly List<DataMember> _members = [];
    private readonly List<BaseClass> _bases = [];
    private readonly List<TemplateParameter> _templateParameters = [];

    /// <summary>Creates a composite of the given family.</summary>
    public CompositeType(DwarfTypeKind kind)
    {
        if (kind is not (DwarfTypeKind.Structure or DwarfTypeKind.Class or DwarfTypeKind.Union))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "a composite type is a structure, class or union");
        Kind = kind;
    }

    /// <inheritdoc/>
    public override DwarfTypeKind Kind { get; }

    /// <summary>True for a declaration without a definition (DW_AT_declaration): members are unknown.</summary>
    public bool IsDeclaration { get; init; }

    /// <summary>True when the producer says values of this type are passed and returned through memory by address
    /// (DW_AT_calling_convention DW_CC_pass_by_reference: a C++ class with a non-trivial copy constructor or destructor).</summary>
    public bool PassedByReference { get; init; }

    /// <summary>The non-static data members, in declaration order.</summary>
    public IReadOnlyList<DataMember> Members => _members;

    /// <summary>The direct base classes, in declaration order.</summary>
    public IReadOnlyList<BaseClass> Bases => _bases;

    /// <summary>The template type and value parameters, when the type is a template instance.</summary>
    public IReadOnlyList<TemplateParameter> TemplateParameters => _templateParameters;

    /// <summary>The variants of a type that holds one of several shapes (a Rust enum with data), or null.</summary>
    public VariantPart? VariantPart { get; private set; }

    /// <summary>The keyword C++ uses for this family.</summary>
    public string Keyword => Kind switch { DwarfTypeKind.Class => "class", DwarfTypeKind.Union => "union", _ => "struct" };

    /// <summary>Adds a data member (used by the builder while reading the DIE's children).</summary>
    public void AddMember(DataMember member) => _members.Add(member);

    /// <summary>Adds a direct base class (used by the builder).</summary>
    public void AddBase(BaseClass baseClass) => _bases.Add(baseClass);

    /// <summary>Sets the variant part (used by the builder; a type has at most one).</summary>
    public void SetVariantPart(VariantPart part) => VariantPart ??= part;

    /// <summary>Adds a template parameter (used by the builder).</summary>
    public void AddTemplateParameter(TemplateParameter parameter) => _templateParameters.Add(parameter);

    /// <summary>Finds a data member by name here or in a base class, returning its byte offset from the start of this type.</summary>
    public bool TryFindMember(string name, out DataMember member, out ulong offsetFromThis)
    {
        foreach (var m in _members)
        {
            if (m.Name == name)
            {
                member = m;
                offsetFromThis = m.ByteOffset;
                return true;
            }
        }
        foreach (var m in _members)
        {
            // Anonymous structs and unions make their members visible in the enclosing scope.
            if (m.Name is null && m.Type?.Canonical is CompositeType anon && anon.TryFindMember(name, out member, out var inner))
            {
                offsetFromThis = m.ByteOffset + inner;
                return true;
            }
        }
        foreach (var b in _bases)
        {
            if (!b.IsVirtual && b.Type?.Canonical is CompositeType bc && bc.TryFindMember(name, out member, out var inner))
            {
                offsetFromThis = b.ByteOffset + inner;
                return true;
            }
        }
        member = null!;
        offsetFromThis = 0;
        return false;
    }
}

/// <summary>A non-static data member of a composite (DW_TAG_member).</summary>
/// <param name="Name">The member name, or null for an anonymous struct/union member.</param>
/// <param name="Type">The member's type.</param>
/// <param name="ByteOffset">The offset of the storage unit holding the member from the start of the composite.</param>
/// <param name="BitSize">For a bit field, its width in bits; otherwise null.</param>
/// <param name="BitOffset">For a bit field, the offset in bits of its least significant bit from <paramref name="ByteOffset"/> (little-endian).</param>
public sealed record DataMember(string? Name, DwarfType? Type, ulong ByteOffset, int? BitSize = null, int BitOffset = 0)
{
    /// <summary>True when the member is a bit field.</summary>
    public bool IsBitField => BitSize is not null;

    /// <summary>True for artificial members such as the vtable pointer.</summary>
    public bool IsArtificial { get; init; }
}

/// <summary>A direct base class of a C++ class (DW_TAG_inheritance).</summary>
/// <param name="Type">The base type.</param>
/// <param name="ByteOffset">Where the base subobject starts; meaningless for virtual bases.</param>
/// <param name="IsVirtual">True for a virtual base, whose position is only known at run time through the vtable.</param>
public sealed record BaseClass(DwarfType? Type, ulong ByteOffset, bool IsVirtual)
{
    /// <summary>DW_AT_data_member_location as a DWARF expression that takes the derived object's address on the stack and
    /// leaves the base's (virtual bases: <c>DW_OP_dup, DW_OP_deref, DW_OP_constu n, DW_OP_minus, DW_OP_deref, DW_OP_plus</c>);
    /// empty when the offset is the constant <see cref="ByteOffset"/>.</summary>
    public ReadOnlyMemory<byte> OffsetExpression { get; init; }
}

/// <summary>A template argument of a class or function template instance (DW_TAG_template_type_parameter / value_parameter).</summary>
/// <param name="Name">The parameter name (e.g. "T").</param>
/// <param name="Type">The argument type, or for a value parameter the type of the value.</param>
/// <param name="Value">The constant value of a value parameter, or null for a type parameter.</param>
public sealed record TemplateParameter(string? Name, DwarfType? Type, long? Value);
