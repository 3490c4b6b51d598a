namespace TrapDebugger.Targets;

/// <summary>One programmed debug register (DR0-DR3): the address, its size in bytes and the access it traps on.</summary>
public readonly record struct DebugRegisterSlot(int Index, ulong Address, int Size, WatchKind Kind)
{
    /// <summary>The DR7 bits that enable this slot locally with its R/W and LEN fields (what a live target writes into DR7).</summary>
    public ulong Dr7Bits
    {
        get
        {
            ulong len = Kind == WatchKind.Execute ? 0UL : Size switch { 1 => 0UL, 2 => 1UL, 4 => 3UL, 8 => 2UL, _ => 0UL };
            return (1UL << (Index * 2)) | ((ulong)Kind << (16 + Index * 4)) | (len << (18 + Index * 4));
        }
    }
}
