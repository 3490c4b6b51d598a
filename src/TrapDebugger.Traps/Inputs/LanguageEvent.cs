namespace TrapDebugger.Traps;

/// <summary>A language runtime's event the debugger stops on with a breakpoint at the runtime's entry for it.</summary>
public enum LanguageEvent
{
    /// <summary>Not a language event: a signal stop.</summary>
    None,
    /// <summary>Rust's panic entry (<c>rust_panic</c>), reached with the panic's payload after the panic hook ran.</summary>
    RustPanic,
    /// <summary><c>__cxa_throw(object, type_info, destructor)</c>, the C++ ABI's entry for a <c>throw</c>.</summary>
    CxxThrow,
}

/// <summary>The functions a breakpoint for a <see cref="LanguageEvent"/> goes on.</summary>
public static class LanguageEventSymbols
{
    /// <summary>True when the function named <paramref name="demangledName"/> is an entry of <paramref name="languageEvent"/>.</summary>
    /// <remarks>Rust's panic entry is <c>rust_panic</c>, mangled in the std crate (legacy <c>std::panicking::rust_panic</c>) or,
    /// since Rust 1.86, as a std-internal symbol in the <c>__rustc</c> crate (<c>__rustc::rust_panic</c>).</remarks>
    public static bool IsEntry(LanguageEvent languageEvent, string demangledName)
    {
        // Legacy Rust mangling ends a path with its hash, "::h0123456789abcdef".
        var name = demangledName.Length > 19 && demangledName[^19..^16] == "::h" ? demangledName[..^19] : demangledName;
        return languageEvent switch
        {
            LanguageEvent.RustPanic => name is "rust_panic" or "__rustc::rust_panic" or "std::panicking::rust_panic",
            LanguageEvent.CxxThrow => name is "__cxa_throw",
            _ => false,
        };
    }
}
