namespace TrapDebugger.TestSupport;

/// <summary>The list of fixtures in tests/fixtures. Add a program here and every test project can build it.</summary>
internal static class FixtureCatalog
{
    private const int SIGILL = 4, SIGABRT = 6, SIGSEGV = 11;

    private static readonly BuildVariant[] ClangBoth = [BuildVariant.Clang22O0, BuildVariant.Clang22O2, BuildVariant.Clang19O0, BuildVariant.Clang19O2];

    public static readonly IReadOnlyList<FixtureDefinition> All =
    [
        new("verbose_trap", FixtureLanguage.C, ["verbose_trap.c"], [], ClangBoth,
            [new(["5"], ExpectedEnd.Killed(SIGILL), "index 5 is out of range")]),
    ];
}
