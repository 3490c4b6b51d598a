namespace TrapDebugger.Dwarf.Types;

/// <summary>The variants of a composite that holds one of several shapes (DW_TAG_variant_part): Rust enums with data,
/// where the member named by DW_AT_discr says which variant is live.</summary>
/// <remarks>Rust puts the discriminant wherever its layout chose, including a niche inside a variant's own data (the
/// null of an <c>Option&lt;Box&lt;T&gt;&gt;</c>, the capacity of a <c>String</c> above <c>isize::MAX</c>), and marks the
/// variant that owns the niche as the default (no DW_AT_discr_value); so the variant is chosen by comparing the member's
/// bytes with each variant's values, never by position.</remarks>
public sealed class VariantPart(DataMember? discriminant, IReadOnlyList<Variant> variants)
{
    /// <summary>The member holding the discriminant (usually artificial), or null when the part has none (then the single
    /// variant, or the default one, is always live).</summary>
    public DataMember? Discriminant { get; } = discriminant;

    /// <summary>The variants in declaration order.</summary>
    public IReadOnlyList<Variant> Variants { get; } = variants;

    /// <summary>The variant selected by a discriminant whose raw bits (zero-extended from the member's size) are
    /// <paramref name="raw"/>: the one listing the value, else the default, else null.</summary>
    public Variant? Select(ulong raw)
    {
        int bits = (int)Math.Clamp((Discriminant?.Type?.Canonical.ByteSize ?? 8) * 8, 8, 64);
        bool signed = Discriminant?.Type?.Canonical is BaseType { IsSigned: true } or EnumerationType { IsSigned: true };
        Variant? fallback = null;
        foreach (var v in Variants)
        {
            if (v.IsDefault)
            {
                fallback ??= v;
                continue;
            }
            foreach (var range in v.Values)
            {
                if (range.Contains(raw, bits, signed)) return v;
            }
        }
        return fallback;
    }
}

/// <summary>One variant of a <see cref="VariantPart"/> (DW_TAG_variant): the discriminant values that select it and the
/// members it adds (in Rust, a single member named after the variant whose type holds its fields).</summary>
/// <param name="Values">The discriminant values (DW_AT_discr_value) or ranges (DW_AT_discr_list); empty for the default variant.</param>
/// <param name="Members">The data members of the variant.</param>
public sealed record Variant(IReadOnlyList<DiscriminantRange> Values, IReadOnlyList<DataMember> Members)
{
    /// <summary>True for the variant taken when no other variant's values match.</summary>
    public bool IsDefault => Values.Count == 0;
}

/// <summary>An inclusive range of discriminant values, stored as the raw bits of the producer's constant.</summary>
/// <param name="Low">The lowest value.</param>
/// <param name="High">The highest value (equal to <paramref name="Low"/> for a single value).</param>
public readonly record struct DiscriminantRange(ulong Low, ulong High)
{
    /// <summary>True when <paramref name="raw"/>, a discriminant of <paramref name="bits"/> bits, lies in the range.</summary>
    public bool Contains(ulong raw, int bits, bool signed)
    {
        ulong mask = bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong value = raw & mask, low = Low & mask, high = High & mask;
        if (low == high) return value == low;
        if (!signed) return value >= low && value <= high;
        int shift = 64 - bits;
        long v = (long)(value << shift) >> shift, lo = (long)(low << shift) >> shift, hi = (long)(high << shift) >> shift;
        return v >= lo && v <= hi;
    }
}
