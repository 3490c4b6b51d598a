using TrapDebugger.TestSupport;

namespace TrapDebugger.Fixtures.Tests;

/// <summary>Every fixture builds with each of its variants, and running it natively ends the way its definition says.</summary>
public class NativeRunTests(FixtureBuilds builds) : IClassFixture<FixtureBuilds>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in TestSupport.Fixtures.All)
            foreach (var v in f.Variants)
                data.Add(f.Name, v.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_ends_as_defined(string name, string variantName)
    {
        Assert.True(builds.Attempted);
        var fixture = TestSupport.Fixtures.Get(name);
        var variant = fixture.Variants.Single(v => v.ToString() == variantName);
        var binary = TestSupport.Fixtures.Build(fixture, variant);
        Assert.True(File.Exists(binary.Program), $"{binary.Program} was not built");
        if (fixture.LibrarySources.Count > 0)
            Assert.True(File.Exists(binary.SharedLibrary), $"{binary.SharedLibrary} was not built");
        foreach (var run in fixture.Runs)
        {
            var end = NativeRun.Run(binary.Program, run.Arguments, TimeSpan.FromSeconds(60));
            Assert.True(end == run.End, $"{name} ({variantName}) {string.Join(' ', run.Arguments)} [{run.Description}]: expected {run.End}, got {end}");
        }
    }
}
