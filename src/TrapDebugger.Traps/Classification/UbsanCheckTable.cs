namespace TrapDebugger.Traps;

/// <summary>Maps the immediate of a trap-mode <c>ud1</c> to the UBSan check kind, per Clang version range.</summary>
/// <remarks>
/// The immediate is the ordinal of Clang's <c>SanitizerHandler</c> enumeration (clang/lib/CodeGen/SanitizerHandler.h, formerly
/// CodeGenFunction.h). The enumeration is kept in alphabetical order, so inserting a handler renumbers the ones after it:
/// <c>InvalidBuiltin</c> (clang 17) shifted every ordinal from 8 up. Ordinals 0, 1, 3, 5–8 and 10–24 were checked by compiling
/// one function per check with clang 19 and clang 22 (<c>-fsanitize=… -fsanitize-trap=all</c>) and reading the <c>ud1</c>
/// immediates; both agree. 2 (CFI), 4 (vptr, which has no trap mode), 9 (Objective-C) and 25 (BoundsSafety, clang ≥ 21) come
/// from the header alone.
/// </remarks>
public static class UbsanCheckTable
{
    /// <summary>The Clang major version the default table describes (and every version from 17 up to it).</summary>
    public const int NewestKnownClang = 22;

    private static readonly UbsanCheck[] Clang17To22 =
    [
        new(0, "AddOverflow", "Integer addition overflowed", "A signed integer addition overflowed its type."),
        new(1, "BuiltinUnreachable", "Reached __builtin_unreachable()", "Execution reached a program point marked unreachable."),
        new(2, "CFICheckFail", "Control flow integrity check failed", "An indirect call or cast went to a target of the wrong type."),
        new(3, "DivremOverflow", "Integer divide or remainder overflowed", "A division or remainder had a zero divisor or was INT_MIN / -1."),
        new(4, "DynamicTypeCacheMiss", "Dynamic type mismatch", "A member call was made on an object whose dynamic type differs from the expected type."),
        new(5, "FloatCastOverflow", "Floating-point to integer conversion overflowed", "A floating-point value does not fit the integer type it was converted to."),
        new(6, "FunctionTypeMismatch", "Function called with mismatched signature", "A function was called through a pointer of an incompatible function type."),
        new(7, "ImplicitConversion", "Implicit integer conversion changed the value", "An implicit integer conversion truncated or changed the sign of a value."),
        new(8, "InvalidBuiltin", "Invalid use of builtin function", "A builtin was called with an argument it does not accept (e.g. __builtin_ctz(0))."),
        new(9, "InvalidObjCCast", "Invalid Objective-C cast", "An Objective-C object was cast to a class it is not an instance of."),
        new(10, "LoadInvalidValue", "Loaded an invalid value", "A load produced a value that is not valid for its type (e.g. a bool that is neither 0 nor 1)."),
        new(11, "MissingReturn", "Missing return value", "Execution reached the end of a value-returning function without returning a value."),
        new(12, "MulOverflow", "Integer multiplication overflowed", "A signed integer multiplication overflowed its type."),
        new(13, "NegateOverflow", "Integer negation overflowed", "The negation of the most negative value of a signed type overflowed."),
        new(14, "NullabilityArg", "Null passed as a _Nonnull argument", "A null pointer was passed for a parameter annotated _Nonnull."),
        new(15, "NullabilityReturn", "Null returned from a _Nonnull function", "A function whose return type is annotated _Nonnull returned null."),
        new(16, "NonnullArg", "Null passed as a nonnull argument", "A null pointer was passed for a parameter declared nonnull."),
        new(17, "NonnullReturn", "Null returned from a returns_nonnull function", "A function declared returns_nonnull returned null."),
        new(18, "OutOfBounds", "Array index out of bounds", "An array was indexed outside the bounds of its type."),
        new(19, "PointerOverflow", "Pointer arithmetic overflowed", "Pointer arithmetic wrapped around or produced a pointer from null."),
        new(20, "ShiftOutOfBounds", "Shift out of bounds", "A shift amount was negative or not less than the width of the type, or a signed shift overflowed."),
        new(21, "SubOverflow", "Integer subtraction overflowed", "A signed integer subtraction overflowed its type."),
        new(22, "TypeMismatch", "Misaligned, null or too-small object access", "A pointer was null, misaligned, or pointed to storage too small for its type."),
        new(23, "AlignmentAssumption", "Alignment assumption violated", "A pointer did not have the alignment an assume_aligned promised."),
        new(24, "VLABoundNotPositive", "Variable-length array bound not positive", "A variable-length array was declared with a size that is zero or negative."),
        new(25, "BoundsSafety", "Bounds-safety check failed", "A -fbounds-safety check failed."),
    ];

    // Before clang 17 there was no InvalidBuiltin: the handlers after ImplicitConversion were numbered one lower.
    private static readonly UbsanCheck[] Clang11To16 =
    [
        .. Clang17To22[..8],
        .. Clang17To22[9..25].Select(c => c with { Ordinal = c.Ordinal - 1 }),
    ];

    /// <summary>The table that applies to code built by Clang major version <paramref name="clangMajor"/> (null: the newest).</summary>
    public static IReadOnlyList<UbsanCheck> For(int? clangMajor) =>
        clangMajor is { } v && v < 17 ? Clang11To16 : Clang17To22;

    /// <summary>The check with immediate <paramref name="ordinal"/> for Clang <paramref name="clangMajor"/>, or null for an ordinal the table does not know.</summary>
    public static UbsanCheck? Find(int ordinal, int? clangMajor = null)
    {
        var table = For(clangMajor);
        return ordinal >= 0 && ordinal < table.Count ? table[ordinal] : null;
    }
}
