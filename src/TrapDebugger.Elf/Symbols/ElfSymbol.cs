namespace TrapDebugger.Elf;

/// <summary>One symbol from .symtab or .dynsym (Elf64_Sym) with its name resolved.</summary>
public sealed record ElfSymbol(
    string Name,
    ulong Value,                  // st_value
    ulong Size,                   // st_size
    ElfSymbolType Type,           // ELF64_ST_TYPE(st_info)
    ElfSymbolBinding Binding,     // ELF64_ST_BIND(st_info)
    ElfSymbolVisibility Visibility, // ELF64_ST_VISIBILITY(st_other)
    ushort SectionIndex,          // st_shndx
    bool IsDynamic)
{
    /// <summary>The symbol version from .gnu.version (for example "GLIBC_2.2.5"), or null when unversioned.</summary>
    public string? Version { get; init; }

    /// <summary>True when the version is the default one for a defined symbol (printed "name@@VERSION"; otherwise "name@VERSION").</summary>
    public bool IsDefaultVersion { get; init; }

    /// <summary>The name with its version suffix as nm -D prints it.</summary>
    public string VersionedName => Version == null ? Name : $"{Name}{(IsDefaultVersion ? "@@" : "@")}{Version}";

    public const ushort SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2;

    /// <summary>True when the symbol is referenced here but defined elsewhere.</summary>
    public bool IsUndefined => SectionIndex == SHN_UNDEF;

    /// <summary>True for symbols with an absolute value (not relative to a section).</summary>
    public bool IsAbsolute => SectionIndex == SHN_ABS;

    /// <summary>True for common (tentatively defined, unallocated) symbols.</summary>
    public bool IsCommon => SectionIndex == SHN_COMMON;

    /// <summary>True for code symbols: functions and GNU indirect functions.</summary>
    public bool IsFunction => Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction;
}

/// <summary>Symbol types (ELF64_ST_TYPE); unknown values are kept as their number.</summary>
public enum ElfSymbolType : byte
{
    NoType = 0,
    Object = 1,
    Function = 2,
    Section = 3,
    File = 4,
    Common = 5,
    Tls = 6,
    GnuIndirectFunction = 10,
}

/// <summary>Symbol bindings (ELF64_ST_BIND); unknown values are kept as their number.</summary>
public enum ElfSymbolBinding : byte
{
    Local = 0,
    Global = 1,
    Weak = 2,
    GnuUnique = 10,
}

/// <summary>Symbol visibility (ELF64_ST_VISIBILITY).</summary>
public enum ElfSymbolVisibility : byte
{
    Default = 0,
    Internal = 1,
    Hidden = 2,
    Protected = 3,
}
