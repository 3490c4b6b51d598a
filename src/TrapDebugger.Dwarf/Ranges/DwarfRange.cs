namespace TrapDebugger.Dwarf;

/// <summary>A half-open address range [Low, High).</summary>
public readonly record struct DwarfRange(ulong Low, ulong High)
{
    /// <summary>True when <paramref name="address"/> lies in the range.</summary>
    public bool Contains(ulong address) => address >= Low && address < High;
}
