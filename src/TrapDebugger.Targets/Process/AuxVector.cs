using System.Buffers.Binary;

namespace TrapDebugger.Targets;

/// <summary>The ELF auxiliary vector of a process (/proc/&lt;pid&gt;/auxv): what the kernel told the loader at exec.</summary>
public sealed class AuxVector
{
    /// <summary>AT_PHDR: address of the program headers of the executable.</summary>
    public const ulong AT_PHDR = 3;
    /// <summary>AT_PHENT: size of one program header entry.</summary>
    public const ulong AT_PHENT = 4;
    /// <summary>AT_PHNUM: number of program headers.</summary>
    public const ulong AT_PHNUM = 5;
    /// <summary>AT_BASE: load address of the dynamic loader (0 for static programs).</summary>
    public const ulong AT_BASE = 7;
    /// <summary>AT_ENTRY: the executable's entry point.</summary>
    public const ulong AT_ENTRY = 9;
    /// <summary>AT_SYSINFO_EHDR: address of the vDSO.</summary>
    public const ulong AT_SYSINFO_EHDR = 33;

    private readonly Dictionary<ulong, ulong> entries;

    private AuxVector(Dictionary<ulong, ulong> entries) => this.entries = entries;

    /// <summary>Every (a_type, a_val) pair.</summary>
    public IReadOnlyDictionary<ulong, ulong> Entries => entries;

    /// <summary>The value for <paramref name="type"/>, or null when the vector lacks it.</summary>
    public ulong? this[ulong type] => entries.TryGetValue(type, out var v) ? v : null;

    /// <summary>Decodes the raw bytes of an auxv file (pairs of 64-bit words ending at AT_NULL).</summary>
    public static AuxVector Parse(ReadOnlySpan<byte> raw)
    {
        var entries = new Dictionary<ulong, ulong>();
        for (var i = 0; i + 16 <= raw.Length; i += 16)
        {
            var type = BinaryPrimitives.ReadUInt64LittleEndian(raw[i..]);
            if (type == 0) break;
            entries[type] = BinaryPrimitives.ReadUInt64LittleEndian(raw[(i + 8)..]);
        }
        return new AuxVector(entries);
    }
}
