namespace TrapDebugger.TestSupport;

/// <summary>The source language of a fixture, which picks the compiler driver.</summary>
public enum FixtureLanguage { C, Cxx, Rust }

/// <summary>How a fixture run natively is expected to end: an exit code or a fatal signal number.</summary>
public readonly record struct ExpectedEnd(int? ExitCode, int? Signal)
{
    public static ExpectedEnd Exit(int code) => new(code, null);
    public static ExpectedEnd Killed(int signal) => new(null, signal);
    public override string ToString() => Signal is { } s ? $"signal {s}" : $"exit {ExitCode}";
}

/// <summary>One debuggee program in tests/fixtures and how to build and run it.</summary>
/// <param name="Name">Fixture name; also the program's file name.</param>
/// <param name="Language">Source language.</param>
/// <param name="Sources">Program sources, relative to tests/fixtures.</param>
/// <param name="Flags">Extra compiler flags (sanitizers, hardening, -pthread, …).</param>
/// <param name="Variants">The compiler/optimization combinations this fixture is built with.</param>
/// <param name="Runs">Argument lists with the end each one must reach when run natively.</param>
public sealed record FixtureDefinition(
    string Name,
    FixtureLanguage Language,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Flags,
    IReadOnlyList<BuildVariant> Variants,
    IReadOnlyList<FixtureRun> Runs)
{
    /// <summary>Sources of a shared library the program links against (built as lib{Name}.so beside it).</summary>
    public IReadOnlyList<string> LibrarySources { get; init; } = [];

    /// <summary>Extra link flags.</summary>
    public IReadOnlyList<string> LinkFlags { get; init; } = [];

    /// <summary>Flags only for the Clang variants (for example -fsanitize-trap or libc++ options).</summary>
    public IReadOnlyList<string> ClangOnlyFlags { get; init; } = [];

    /// <summary>Flags only for the Clang 22 variants, for options older Clang rejects (for example -fsanitize-debug-trap-reasons).</summary>
    public IReadOnlyList<string> Clang22OnlyFlags { get; init; } = [];

    /// <summary>What the fixture is for and which inputs trigger which check, for test output and docs.</summary>
    public string Purpose { get; init; } = "";

    /// <summary>True when the fixture is built with <paramref name="variant"/>.</summary>
    public bool Supports(BuildVariant variant) => Variants.Contains(variant);
}

/// <summary>One native run of a fixture: its arguments and how it must end.</summary>
public sealed record FixtureRun(IReadOnlyList<string> Arguments, ExpectedEnd End, string Description);

/// <summary>A compiler invocation; "{out}" in an argument is the build folder.</summary>
public sealed record CompileCommand(string Program, IReadOnlyList<string> Arguments);
