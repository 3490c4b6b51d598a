namespace TrapDebugger.TestSupport;

/// <summary>Paths inside the repository, found from the test assembly's location.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var built = typeof(Repository).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (built != null && File.Exists(Path.Combine(built, "TrapDebugger.sln")))
            return Path.GetFullPath(built);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrapDebugger.sln")))
                return dir.FullName;
        }
        var fromEnv = Environment.GetEnvironmentVariable("TRAPDBG_REPO");
        if (fromEnv != null && File.Exists(Path.Combine(fromEnv, "TrapDebugger.sln")))
            return fromEnv;
        throw new InvalidOperationException("TrapDebugger.sln was not found above the test assembly; set TRAPDBG_REPO to the repository root.");
    });

    /// <summary>The repository root (the folder holding TrapDebugger.sln).</summary>
    public static string Root => RootPath.Value;

    /// <summary>tests/fixtures: the debuggee sources.</summary>
    public static string FixtureSources => Path.Combine(Root, "tests", "fixtures");

    /// <summary>The git-ignored cache of compiled fixtures (TRAPDBG_FIXTURE_CACHE overrides it).</summary>
    public static string FixtureCache =>
        Environment.GetEnvironmentVariable("TRAPDBG_FIXTURE_CACHE") is { Length: > 0 } dir ? dir : Path.Combine(FixtureSources, ".build");
}
