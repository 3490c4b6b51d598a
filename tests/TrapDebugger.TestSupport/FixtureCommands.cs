namespace TrapDebugger.TestSupport;

/// <summary>Turns a fixture definition and a variant into compiler command lines.</summary>
public static class FixtureCommands
{
    /// <summary>The driver for <paramref name="compiler"/> (the C++ one when <paramref name="cxx"/>).</summary>
    public static string CompilerPath(Compiler compiler, bool cxx) => compiler switch
    {
        Compiler.Clang22 => cxx ? Toolchain.ClangXX22 : Toolchain.Clang22,
        Compiler.Clang19 => cxx ? Toolchain.ClangXX19 : Toolchain.Clang19,
        Compiler.Gcc => cxx ? Toolchain.Gxx : Toolchain.Gcc,
        Compiler.Rustc => Toolchain.Rustc,
        _ => throw new ArgumentOutOfRangeException(nameof(compiler)),
    };

    /// <summary>The commands that build <paramref name="fixture"/> into "{out}".</summary>
    public static IReadOnlyList<CompileCommand> For(FixtureDefinition fixture, BuildVariant variant, IReadOnlyList<string> sources, IReadOnlyList<string> library)
    {
        var commands = new List<CompileCommand>();
        if (fixture.Language == FixtureLanguage.Rust)
        {
            var opt = variant.Optimization == "-O0" ? "0" : "2";
            commands.Add(new CompileCommand(Toolchain.Rustc,
                ["-g", "-C", $"opt-level={opt}", "-o", $"{{out}}/{fixture.Name}", .. fixture.Flags, .. sources]));
            return commands;
        }
        var cxx = fixture.Language == FixtureLanguage.Cxx;
        var driver = CompilerPath(variant.Compiler, cxx);
        var flags = new List<string> { "-g", variant.Optimization };
        flags.AddRange(fixture.Flags);
        if (variant.Compiler is Compiler.Clang22 or Compiler.Clang19)
            flags.AddRange(fixture.ClangOnlyFlags);
        if (variant.Compiler is Compiler.Clang22)
            flags.AddRange(fixture.Clang22OnlyFlags);
        if (library.Count > 0)
        {
            commands.Add(new CompileCommand(driver,
                [.. flags, "-fPIC", "-shared", "-o", $"{{out}}/lib{fixture.Name}.so", .. library]));
        }
        var link = new List<string>(fixture.LinkFlags);
        if (library.Count > 0)
            link.AddRange(["-L{out}", $"-l{fixture.Name}", "-Wl,-rpath,$ORIGIN"]);
        commands.Add(new CompileCommand(driver, [.. flags, "-o", $"{{out}}/{fixture.Name}", .. sources, .. link]));
        return commands;
    }
}
