namespace TrapDebugger.Traps;

/// <summary>What the faulting instruction was doing with memory.</summary>
public enum MemoryAccessKind
{
    /// <summary>Not decidable (e.g. the instruction could not be read).</summary>
    Unknown,
    /// <summary>A load.</summary>
    Read,
    /// <summary>A store.</summary>
    Write,
    /// <summary>A load and a store to the same operand (e.g. <c>add [rax], 1</c>).</summary>
    ReadWrite,
    /// <summary>Fetching the instruction itself (a jump or call to a bad address).</summary>
    Execute,
}

/// <summary>How the fault address relates to the process's memory.</summary>
public enum AddressClass
{
    /// <summary>Not classified (no memory map was available).</summary>
    Unknown,
    /// <summary>Inside the first 64 KiB, which Linux never maps (vm.mmap_min_addr): a null pointer plus an offset.</summary>
    NullPage,
    /// <summary>Bits 63..47 are not all equal; no x86-64 address can be used.</summary>
    NonCanonical,
    /// <summary>Just below the stack (or in its guard page): the stack overflowed.</summary>
    StackGuard,
    /// <summary>No mapping covers the address.</summary>
    Unmapped,
    /// <summary>A mapping covers it, but without write permission.</summary>
    ReadOnly,
    /// <summary>A mapping covers it, but without execute permission.</summary>
    NotExecutable,
    /// <summary>A mapping covers it, but without read permission.</summary>
    NotReadable,
    /// <summary>A mapping covers it with the needed permission (the fault has another cause).</summary>
    Mapped,
}

/// <summary>The decoded memory access of a faulting instruction.</summary>
public sealed record MemoryFault
{
    /// <summary>The address that faulted (si_addr, or the computed operand address).</summary>
    public required ulong Address { get; init; }

    /// <summary>Read, write or execute.</summary>
    public MemoryAccessKind Access { get; init; }

    /// <summary>The access size in bytes (0 when unknown).</summary>
    public int Size { get; init; }

    /// <summary>The base register of the memory operand, e.g. "rdi".</summary>
    public string? BaseRegister { get; init; }

    /// <summary>The value of <see cref="BaseRegister"/>.</summary>
    public ulong? BaseValue { get; init; }

    /// <summary>The index register of the memory operand.</summary>
    public string? IndexRegister { get; init; }

    /// <summary>The value of <see cref="IndexRegister"/>.</summary>
    public ulong? IndexValue { get; init; }

    /// <summary>The index scale (1, 2, 4, 8).</summary>
    public int Scale { get; init; } = 1;

    /// <summary>The displacement, sign-extended.</summary>
    public long Displacement { get; init; }

    /// <summary>The class of <see cref="Address"/>.</summary>
    public AddressClass Class { get; init; }

    /// <summary>The mapping containing the address, when one does.</summary>
    public MemoryRegion? Region { get; init; }
}
