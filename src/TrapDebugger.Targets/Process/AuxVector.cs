using System.Buffers.Binary;

namespace TrapDebugger.Targets;

/// <summary>One entry of the auxiliary vector (Elf64_auxv_t).</summary>
/// <param name="Type">a_type (AT_PHDR, AT_ENTRY, …).</param>
/// <param name="Value">a_un.a_val.</param>
public readonly record struct AuxvEntry(ulong Type, ulong Value);

/// <summary>The ELF auxiliary vector of a process (/proc/&lt;pid&gt;/auxv, a core's NT_AUXV): what the kernel told the
/// loader at exec.</summary>
public sealed class AuxVector
{
    /// <summary>AT_NULL: the end of the vector.</summary>
    public const ulong AT_NULL = 0;
    /// <summary>AT_PHDR: address of the program headers of the executable.</summary>
    public const ulong AT_PHDR = 3;
    /// <summary>AT_PHENT: size of one program header entry.</summary>
    public const ulong AT_PHENT = 4;
    /// <summary>AT_PHNUM: number of program headers.</summary>
    public const ulong AT_PHNUM = 5;
    /// <summary>AT_PAGESZ: the system page size.</summary>
    public const ulong AT_PAGESZ = 6;
    /// <summary>AT_BASE: load address of the dynamic loader (0 for static programs).</summary>
    public const ulong AT_BASE = 7;
    /// <summary>AT_ENTRY: the executable's entry point.</summary>
    public const ulong AT_ENTRY = 9;
    /// <summary>AT_EXECFN: address of the file name the program was executed as.</summary>
    public const ulong AT_EXECFN = 31;
    /// <summary>AT_SYSINFO_EHDR: address of the vDSO.</summary>
    public const ulong AT_SYSINFO_EHDR = 33;

    private readonly List<AuxvEntry> entries;
    private readonly Dictionary<ulong, ulong> values = [];

    private AuxVector(List<AuxvEntry> entries)
    {
        this.entries = entries;
        foreach (var e in entries) values.TryAdd(e.Type, e.Value);
    }

    /// <summary>Every entry in the order the kernel wrote them, without the terminating AT_NULL.</summary>
    public IReadOnlyList<AuxvEntry> Entries => entries;

    /// <summary>The value for <paramref name="type"/> (its first entry), or null when the vector lacks it.</summary>
    public ulong? this[ulong type] => values.TryGetValue(type, out var v) ? v : null;

    /// <summary>Decodes the raw bytes of an auxv file or note (pairs of 64-bit words ending at AT_NULL).</summary>
    public static AuxVector Parse(ReadOnlySpan<byte> raw)
    {
        var entries = new List<AuxvEntry>();
        for (var i = 0; i + 16 <= raw.Length; i += 16)
        {
            var type = BinaryPrimitives.ReadUInt64LittleEndian(raw[i..]);
            if (type == AT_NULL) break;
            entries.Add(new AuxvEntry(type, BinaryPrimitives.ReadUInt64LittleEndian(raw[(i + 8)..])));
        }
        return new AuxVector(entries);
    }
}
