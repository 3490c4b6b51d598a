namespace TrapDebugger.Traps;

/// <summary>Tells the frames of language runtimes (Rust's core/std/alloc, the C++ standard library and ABI) from the user's,
/// so a stop inside a runtime lands on the user's code that called into it.</summary>
internal static class RuntimeFrames
{
    private static readonly string[] RustCrates = ["core::", "std::", "alloc::", "__rustc::", "panic_abort::", "panic_unwind::"];
    private static readonly string[] RustRuntimeFunctions = ["rust_panic", "rust_begin_unwind", "__rust_start_panic", "__rust_end_short_backtrace", "__rust_begin_short_backtrace"];
    private static readonly string[] CxxRuntimePrefixes = ["std::", "__gnu_cxx::", "__cxxabiv1::", "__cxa_", "__gxx_", "_Unwind_", "__clang_call_terminate", "__terminate"];

    /// <summary>True for a frame of Rust's runtime: a function of core, std or alloc (also as the trait or type of an impl,
    /// <c>&lt;usize as core::slice::index::SliceIndex&lt;[T]&gt;&gt;::index</c>) or of the panic machinery.</summary>
    public static bool IsRust(string name)
    {
        var n = name.TrimStart('<');
        if (RustCrates.Any(c => n.StartsWith(c, StringComparison.Ordinal))) return true;
        if (RustRuntimeFunctions.Any(f => n == f || n.EndsWith("::" + f, StringComparison.Ordinal))) return true;
        // An impl of a runtime trait for a user type (<T as core::fmt::Debug>::fmt) is the user's; a runtime trait implemented for a
        // runtime or primitive type is the runtime's.
        var asAt = n.IndexOf(" as ", StringComparison.Ordinal);
        if (asAt > 0 && name.StartsWith('<'))
        {
            var self = n[..asAt];
            var trait = n[(asAt + 4)..];
            var runtimeTrait = RustCrates.Any(c => trait.StartsWith(c, StringComparison.Ordinal));
            var primitiveSelf = !self.Contains("::", StringComparison.Ordinal) || self.StartsWith('[') || self.StartsWith('&') || self.StartsWith('*');
            return runtimeTrait && primitiveSelf;
        }
        return false;
    }

    /// <summary>True for a frame of the C++ standard library or ABI runtime (<c>std::</c>, <c>__cxa_*</c>, the unwinder).</summary>
    public static bool IsCxx(string name) => CxxRuntimePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) || IsC(name);

    /// <summary>True for glibc's abort and raise family, in which a process that aborts stops.</summary>
    public static bool IsC(string name) => name is "abort" or "raise" or "__pthread_kill_implementation" or "__pthread_kill_internal"
        or "pthread_kill" or "__GI_raise" or "__GI_abort" or "gsignal" or "__libc_message" or "__libc_message_impl" or "__fortify_fail" or "malloc_printerr";

    /// <summary>The first frame above the innermost frame matching <paramref name="entry"/> that <paramref name="isRuntime"/> does
    /// not claim: the user's code that called into the runtime.</summary>
    public static LandingFrame? UserCaller(IReadOnlyList<BacktraceFrame> frames, Func<string, bool> entry, Func<string, bool> isRuntime, string reason)
    {
        var start = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].Function is { } f && entry(f))
            {
                start = i;
                break;
            }
        }
        if (start < 0) return null;
        // A frame without a name is code of a stripped runtime library (libstdc++'s __throw_out_of_range_fmt): look past it.
        for (var i = start + 1; i < frames.Count; i++)
        {
            if (frames[i].Function is { } name && !IsUnnamed(name) && !isRuntime(name)) return Landing(frames, i, reason);
        }
        return null;
    }

    /// <summary>True for a frame no symbol names, which the backtrace shows as its address.</summary>
    public static bool IsUnnamed(string name) => name.StartsWith("0x", StringComparison.Ordinal);

    /// <summary>The frame at <paramref name="index"/> as a landing frame.</summary>
    public static LandingFrame Landing(IReadOnlyList<BacktraceFrame> frames, int index, string reason) =>
        new(index, frames[index].Function, frames[index].Location, reason);

    /// <summary>The name without a parameter list, so "std::terminate()" and "std::terminate" compare equal.</summary>
    public static string Bare(string name)
    {
        var paren = name.IndexOf('(');
        return paren > 0 && !name.StartsWith("<", StringComparison.Ordinal) ? name[..paren] : name;
    }
}
