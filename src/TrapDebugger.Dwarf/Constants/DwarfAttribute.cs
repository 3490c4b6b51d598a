namespace TrapDebugger.Dwarf;

/// <summary>An attribute name (DW_AT_*); values this reader does not name are carried as their number.</summary>
public enum DwarfAttribute : ushort
{
    Sibling = 0x01, Location = 0x02, Name = 0x03, Ordering = 0x09, ByteSize = 0x0b, BitOffset = 0x0c, BitSize = 0x0d,
    StmtList = 0x10, LowPc = 0x11, HighPc = 0x12, Language = 0x13, Discr = 0x15, DiscrValue = 0x16, Visibility = 0x17,
    Import = 0x18, StringLength = 0x19, CommonReference = 0x1a, CompDir = 0x1b, ConstValue = 0x1c,
    ContainingType = 0x1d, DefaultValue = 0x1e, Inline = 0x20, IsOptional = 0x21, LowerBound = 0x22,
    Producer = 0x25, Prototyped = 0x27, ReturnAddr = 0x2a, StartScope = 0x2c, BitStride = 0x2e, UpperBound = 0x2f,
    AbstractOrigin = 0x31, Accessibility = 0x32, AddressClass = 0x33, Artificial = 0x34, BaseTypes = 0x35,
    CallingConvention = 0x36, Count = 0x37, DataMemberLocation = 0x38, DeclColumn = 0x39, DeclFile = 0x3a,
    DeclLine = 0x3b, Declaration = 0x3c, DiscrList = 0x3d, Encoding = 0x3e, External = 0x3f, FrameBase = 0x40,
    Friend = 0x41, IdentifierCase = 0x42, MacroInfo = 0x43, NamelistItem = 0x44, Priority = 0x45, Segment = 0x46,
    Specification = 0x47, StaticLink = 0x48, Type = 0x49, UseLocation = 0x4a, VariableParameter = 0x4b,
    Virtuality = 0x4c, VtableElemLocation = 0x4d, Allocated = 0x4e, Associated = 0x4f, DataLocation = 0x50,
    ByteStride = 0x51, EntryPc = 0x52, UseUtf8 = 0x53, Extension = 0x54, Ranges = 0x55, Trampoline = 0x56,
    CallColumn = 0x57, CallFile = 0x58, CallLine = 0x59, Description = 0x5a, BinaryScale = 0x5b,
    DecimalScale = 0x5c, Small = 0x5d, DecimalSign = 0x5e, DigitCount = 0x5f, PictureString = 0x60, Mutable = 0x61,
    ThreadsScaled = 0x62, Explicit = 0x63, ObjectPointer = 0x64, Endianity = 0x65, Elemental = 0x66, Pure = 0x67,
    Recursive = 0x68, Signature = 0x69, MainSubprogram = 0x6a, DataBitOffset = 0x6b, ConstExpr = 0x6c,
    EnumClass = 0x6d, LinkageName = 0x6e, StringLengthBitSize = 0x6f, StringLengthByteSize = 0x70, Rank = 0x71,
    StrOffsetsBase = 0x72, AddrBase = 0x73, RnglistsBase = 0x74, DwoName = 0x76, Reference = 0x77,
    RvalueReference = 0x78, Macros = 0x79, CallAllCalls = 0x7a, CallAllSourceCalls = 0x7b, CallAllTailCalls = 0x7c,
    CallReturnPc = 0x7d, CallValue = 0x7e, CallOrigin = 0x7f, CallParameter = 0x80, CallPc = 0x81,
    CallTailCall = 0x82, CallTarget = 0x83, CallTargetClobbered = 0x84, CallDataLocation = 0x85,
    CallDataValue = 0x86, Noreturn = 0x87, Alignment = 0x88, ExportSymbols = 0x89, Deleted = 0x8a, Defaulted = 0x8b,
    LoclistsBase = 0x8c,
    MipsLinkageName = 0x2007, GnuVector = 0x2107, GnuTemplateName = 0x2110, GnuCallSiteValue = 0x2111,
    GnuCallSiteTarget = 0x2113, GnuTailCall = 0x2115, GnuAllTailCallSites = 0x2116, GnuAllCallSites = 0x2117,
    GnuMacros = 0x2119, GnuDeleted = 0x211a, GnuDwoName = 0x2130, GnuDwoId = 0x2131, GnuRangesBase = 0x2132,
    GnuAddrBase = 0x2133, GnuDiscriminator = 0x2136, GnuPubnames = 0x2134, GnuPubtypes = 0x2135, GnuLocviews = 0x2137, GnuEntryView = 0x2138,
}
