using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>Computes the address of an instruction's explicit memory operand from register values.</summary>
internal static class EffectiveAddress
{
    /// <summary>Computes the address; returns null on success, else why it cannot be computed.</summary>
    public static string? Compute(in Instruction i, RegisterState registers, IReadOnlySet<Register>? overwritten, out ulong address)
    {
        address = 0;
        ulong value = 0;
        if (i.MemoryBase == Register.RIP || i.MemoryBase == Register.EIP)
        {
            address = i.IPRelativeMemoryAddress;
            return null;
        }
        if (i.MemoryBase != Register.None)
        {
            if (overwritten is not null && overwritten.Contains(i.MemoryBase.GetFullRegister()))
                return $"{Disassembly.Name(i.MemoryBase)} is overwritten between the check and the trap";
            if (registers.Get(i.MemoryBase) is not { } b) return $"{Disassembly.Name(i.MemoryBase)} is not known";
            value += b;
        }
        if (i.MemoryIndex != Register.None)
        {
            if (overwritten is not null && overwritten.Contains(i.MemoryIndex.GetFullRegister()))
                return $"{Disassembly.Name(i.MemoryIndex)} is overwritten between the check and the trap";
            if (registers.Get(i.MemoryIndex) is not { } x) return $"{Disassembly.Name(i.MemoryIndex)} is not known";
            value += x * (ulong)i.MemoryIndexScale;
        }
        value += i.MemoryDisplacement64;
        if (i.MemoryBase.GetSize() == 4 || i.MemoryIndex.GetSize() == 4) value &= 0xFFFF_FFFF; // 32-bit addressing wraps
        if (i.MemorySegment == Register.FS) value += registers.FsBase;
        else if (i.MemorySegment == Register.GS) value += registers.GsBase;
        address = value;
        return null;
    }
}
