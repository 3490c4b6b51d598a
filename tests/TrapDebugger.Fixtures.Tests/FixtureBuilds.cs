using TrapDebugger.TestSupport;

namespace TrapDebugger.Fixtures.Tests;

/// <summary>Builds every fixture variant up front, several compilers at a time, so the per-variant tests find them cached.</summary>
/// <remarks>A failed build is not reported here: the test of that variant builds it again and fails with the
/// compiler's message.</remarks>
public sealed class FixtureBuilds
{
    /// <summary>Starts the parallel build of the whole catalog.</summary>
    public FixtureBuilds()
    {
        try
        {
            TestSupport.Fixtures.BuildMany(TestSupport.Fixtures.All.SelectMany(f => f.Variants.Select(v => (f, v))));
        }
        catch (AggregateException)
        {
            // Reported per variant by the tests.
        }
        Attempted = true;
    }

    /// <summary>True once the up-front build has run.</summary>
    public bool Attempted { get; }
}
