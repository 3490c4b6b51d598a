namespace TrapDebugger.Traps;

/// <summary>One UBSan check kind, as Clang encodes it in the immediate of a trap-mode <c>ud1</c>.</summary>
/// <param name="Ordinal">The immediate: Clang's <c>SanitizerHandler</c> enumerator value.</param>
/// <param name="Handler">The enumerator name, e.g. "OutOfBounds".</param>
/// <param name="Title">A short human name, e.g. "Array index out of bounds".</param>
/// <param name="Explanation">What the check guards against, in one sentence.</param>
public sealed record UbsanCheck(int Ordinal, string Handler, string Title, string Explanation);
