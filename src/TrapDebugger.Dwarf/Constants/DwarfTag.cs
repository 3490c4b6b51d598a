namespace TrapDebugger.Dwarf;

/// <summary>A DIE tag (DW_TAG_*); values this reader does not name are carried as their number.</summary>
public enum DwarfTag : ushort
{
    Null = 0x00, ArrayType = 0x01, ClassType = 0x02, EntryPoint = 0x03, EnumerationType = 0x04, FormalParameter = 0x05,
    ImportedDeclaration = 0x08, Label = 0x0a, LexicalBlock = 0x0b, Member = 0x0d, PointerType = 0x0f,
    ReferenceType = 0x10, CompileUnit = 0x11, StringType = 0x12, StructureType = 0x13, SubroutineType = 0x15,
    Typedef = 0x16, UnionType = 0x17, UnspecifiedParameters = 0x18, Variant = 0x19, CommonBlock = 0x1a,
    CommonInclusion = 0x1b, Inheritance = 0x1c, InlinedSubroutine = 0x1d, Module = 0x1e, PtrToMemberType = 0x1f,
    SetType = 0x20, SubrangeType = 0x21, WithStmt = 0x22, AccessDeclaration = 0x23, BaseType = 0x24,
    CatchBlock = 0x25, ConstType = 0x26, Constant = 0x27, Enumerator = 0x28, FileType = 0x29, Friend = 0x2a,
    Namelist = 0x2b, NamelistItem = 0x2c, PackedType = 0x2d, Subprogram = 0x2e, TemplateTypeParameter = 0x2f,
    TemplateValueParameter = 0x30, ThrownType = 0x31, TryBlock = 0x32, VariantPart = 0x33, Variable = 0x34,
    VolatileType = 0x35, DwarfProcedure = 0x36, RestrictType = 0x37, InterfaceType = 0x38, Namespace = 0x39,
    ImportedModule = 0x3a, UnspecifiedType = 0x3b, PartialUnit = 0x3c, ImportedUnit = 0x3d, Condition = 0x3f,
    SharedType = 0x40, TypeUnit = 0x41, RvalueReferenceType = 0x42, TemplateAlias = 0x43, CoarrayType = 0x44,
    GenericSubrange = 0x45, DynamicType = 0x46, AtomicType = 0x47, CallSite = 0x48, CallSiteParameter = 0x49,
    SkeletonUnit = 0x4a, ImmutableType = 0x4b,
    GnuTemplateTemplateParam = 0x4106, GnuTemplateParameterPack = 0x4107, GnuFormalParameterPack = 0x4108,
    GnuCallSite = 0x4109, GnuCallSiteParameter = 0x410a,
}
