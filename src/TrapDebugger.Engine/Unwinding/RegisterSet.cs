namespace TrapDebugger.Engine.Unwinding;

/// <summary>The general-purpose registers of one frame, indexed by DWARF register number (0 rax … 15 r15, 16 rip).</summary>
/// <remarks>A caller frame knows only the registers the unwind rules recover (callee-saved ones, rsp and rip); the
/// others are marked unknown rather than silently copied from the callee, so a variable in a clobbered register shows
/// as unavailable instead of a wrong value.</remarks>
public sealed class RegisterSet
{
    /// <summary>The number of DWARF registers tracked: rax…r15 and the return address column (rip).</summary>
    public const int Count = 17;

    /// <summary>DWARF number of rip.</summary>
    public const int Rip = 16;
    /// <summary>DWARF number of rsp.</summary>
    public const int Rsp = 7;
    /// <summary>DWARF number of rbp.</summary>
    public const int Rbp = 6;

    private static readonly string[] Names =
        ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"];

    private readonly ulong[] _values = new ulong[Count];
    private uint _known;

    /// <summary>The innermost frame's registers from a thread's general registers.</summary>
    public static RegisterSet FromGeneral(GeneralRegisters registers)
    {
        var set = new RegisterSet { Rflags = registers.Eflags, FsBase = registers.FsBase, GsBase = registers.GsBase };
        for (int i = 0; i < Count; i++) set.Set(i, registers.GetByDwarfNumber(i));
        return set;
    }

    /// <summary>The register's name as lldb spells it ("rax", "r8", "rip").</summary>
    public static string NameOf(int dwarfNumber) => dwarfNumber is >= 0 and < Count ? Names[dwarfNumber] : $"reg{dwarfNumber}";

    /// <summary>The DWARF number of a register name (64-bit names only), or -1.</summary>
    public static int NumberOf(string name) => Array.IndexOf(Names, name);

    /// <summary>The flags register of the innermost frame (not recovered for callers).</summary>
    public ulong? Rflags { get; set; }

    /// <summary>The fs base (thread pointer) of the thread.</summary>
    public ulong FsBase { get; set; }

    /// <summary>The gs base of the thread.</summary>
    public ulong GsBase { get; set; }

    /// <summary>The program counter.</summary>
    public ulong Pc
    {
        get => _values[Rip];
        set => Set(Rip, value);
    }

    /// <summary>The stack pointer.</summary>
    public ulong Sp
    {
        get => _values[Rsp];
        set => Set(Rsp, value);
    }

    /// <summary>True when register <paramref name="number"/> has a known value in this frame.</summary>
    public bool IsKnown(int number) => number is >= 0 and < Count && (_known & (1u << number)) != 0;

    /// <summary>The value of register <paramref name="number"/>, or null when it is not known in this frame.</summary>
    public ulong? Get(int number) => IsKnown(number) ? _values[number] : null;

    /// <summary>Sets register <paramref name="number"/> and marks it known.</summary>
    public void Set(int number, ulong value)
    {
        if (number is < 0 or >= Count) return;
        _values[number] = value;
        _known |= 1u << number;
    }

    /// <summary>Marks register <paramref name="number"/> unknown.</summary>
    public void Forget(int number)
    {
        if (number is >= 0 and < Count) _known &= ~(1u << number);
    }

    /// <summary>A copy of this set.</summary>
    public RegisterSet Clone()
    {
        var copy = new RegisterSet { Rflags = Rflags, FsBase = FsBase, GsBase = GsBase };
        _values.CopyTo(copy._values, 0);
        copy._known = _known;
        return copy;
    }
}
