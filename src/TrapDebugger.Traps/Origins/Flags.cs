using Iced.Intel;

namespace TrapDebugger.Traps;

/// <summary>The arithmetic flags a conditional branch can read; null means "not known".</summary>
internal readonly record struct Flags(bool? CF, bool? PF, bool? ZF, bool? SF, bool? OF)
{
    public static Flags FromRflags(ulong rflags) =>
        new((rflags & 1) != 0, (rflags & 4) != 0, (rflags & 0x40) != 0, (rflags & 0x80) != 0, (rflags & 0x800) != 0);

    /// <summary>Whether a jcc with <paramref name="cc"/> is taken under these flags, or null if a flag it reads is unknown.</summary>
    public bool? Evaluate(ConditionCode cc) => cc switch
    {
        ConditionCode.o => OF,
        ConditionCode.no => !OF,
        ConditionCode.b => CF,
        ConditionCode.ae => !CF,
        ConditionCode.e => ZF,
        ConditionCode.ne => !ZF,
        ConditionCode.be => Or(CF, ZF),
        ConditionCode.a => Not(Or(CF, ZF)),
        ConditionCode.s => SF,
        ConditionCode.ns => !SF,
        ConditionCode.p => PF,
        ConditionCode.np => !PF,
        ConditionCode.l => Ne(SF, OF),
        ConditionCode.ge => Not(Ne(SF, OF)),
        ConditionCode.le => Or(ZF, Ne(SF, OF)),
        ConditionCode.g => Not(Or(ZF, Ne(SF, OF))),
        _ => null,
    };

    private static bool? Not(bool? a) => a is { } v ? !v : null;

    // A known true operand decides an "or" even when the other is unknown.
    private static bool? Or(bool? a, bool? b) => a == true || b == true ? true : a is null || b is null ? null : false;

    private static bool? Ne(bool? a, bool? b) => a is { } x && b is { } y ? x != y : null;

    /// <summary>Flags of <c>a - b</c> (cmp, sub) at <paramref name="bits"/> width.</summary>
    public static Flags Subtract(ulong a, ulong b, int bits)
    {
        var mask = Mask(bits);
        a &= mask; b &= mask;
        var r = (a - b) & mask;
        return new(a < b, Parity(r), r == 0, Sign(r, bits), Sign((a ^ b) & (a ^ r), bits));
    }

    /// <summary>Flags of <c>a + b</c> (add) at <paramref name="bits"/> width.</summary>
    public static Flags Add(ulong a, ulong b, int bits)
    {
        var mask = Mask(bits);
        a &= mask; b &= mask;
        var r = (a + b) & mask;
        return new(r < a, Parity(r), r == 0, Sign(r, bits), Sign(~(a ^ b) & (a ^ r), bits));
    }

    /// <summary>Flags of <c>a + b + carry</c> (adc) at <paramref name="bits"/> width.</summary>
    public static Flags AddWithCarry(ulong a, ulong b, bool carry, int bits)
    {
        var mask = Mask(bits);
        a &= mask; b &= mask;
        var c = carry ? 1UL : 0;
        var r = (a + b + c) & mask;
        // Carry out of the top bit: the wide sum exceeds the mask (computed without overflowing 64 bits).
        var carryOut = bits >= 64 ? r < a || (r == a && (b | c) != 0) : a + b + c > mask;
        return new(carryOut, Parity(r), r == 0, Sign(r, bits), Sign(~(a ^ b) & (a ^ r), bits));
    }

    /// <summary>Flags of <c>a - b - borrow</c> (sbb) at <paramref name="bits"/> width.</summary>
    public static Flags SubtractWithBorrow(ulong a, ulong b, bool borrow, int bits)
    {
        var mask = Mask(bits);
        a &= mask; b &= mask;
        var c = borrow ? 1UL : 0;
        var r = (a - b - c) & mask;
        return new(a < b || (a == b && borrow), Parity(r), r == 0, Sign(r, bits), Sign((a ^ b) & (a ^ r), bits));
    }

    /// <summary>Flags of a logical result (and, test, or, xor): CF and OF are cleared.</summary>
    public static Flags Logical(ulong r, int bits)
    {
        r &= Mask(bits);
        return new(false, Parity(r), r == 0, Sign(r, bits), false);
    }

    public static ulong Mask(int bits) => bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;

    public static bool Sign(ulong value, int bits) => ((value >> (bits - 1)) & 1) != 0;

    /// <summary>PF: set when the low byte of <paramref name="r"/> has an even number of set bits.</summary>
    public static bool Parity(ulong r) => (System.Numerics.BitOperations.PopCount(r & 0xFF) & 1) == 0;

    /// <summary>The opposite condition (jae for jb, jne for je, …).</summary>
    public static ConditionCode Negate(ConditionCode cc) =>
        cc == ConditionCode.None ? cc : (ConditionCode)((int)cc % 2 == 1 ? (int)cc + 1 : (int)cc - 1);
}
