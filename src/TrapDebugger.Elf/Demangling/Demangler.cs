namespace TrapDebugger.Elf.Demangling;

/// <summary>Turns mangled linker symbols (Itanium C++ "_Z…", Rust legacy "_ZN…17h…E" and Rust v0 "_R…") into source-level names.</summary>
/// <remarks>Output matches llvm-cxxfilt. Anything that is not a valid mangled name comes back unchanged; the
/// demangler never throws on input and bounds its recursion, so hostile symbol tables cannot crash or hang it.</remarks>
public static class Demangler
{
    /// <summary>The demangled form of <paramref name="mangled"/>, or <paramref name="mangled"/> itself when it is not a mangled name.</summary>
    public static string Demangle(string mangled)
    {
        ArgumentNullException.ThrowIfNull(mangled);
        return TryDemangle(mangled) ?? mangled;
    }

    /// <summary>The demangled form of <paramref name="mangled"/>, or null when it is not a mangled name.</summary>
    public static string? TryDemangle(string mangled)
    {
        ArgumentNullException.ThrowIfNull(mangled);
        if (mangled.StartsWith("_Z", StringComparison.Ordinal))
            return ItaniumDemangler.TryDemangle(mangled);
        if (mangled.StartsWith("__Z", StringComparison.Ordinal))
            return ItaniumDemangler.TryDemangle(mangled[1..]);
        if (mangled.StartsWith("_R", StringComparison.Ordinal))
            return RustV0Demangler.TryDemangle(mangled);
        return null;
    }
}
