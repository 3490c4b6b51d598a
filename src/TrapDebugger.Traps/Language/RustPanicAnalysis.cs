using System.Text;

namespace TrapDebugger.Traps;

/// <summary>Explains a Rust panic: its message read from the panic payload in the process, and the user's frame that panicked.</summary>
/// <remarks>
/// At Rust's panic entry, <c>rust_panic(payload: &amp;mut dyn PanicPayload)</c>, rdi is the payload and rsi its vtable, whose
/// second word is the payload's size. The panic hook has already run, so a formatted message is in the payload as a
/// <c>String</c> (<c>FormatStringPayload</c>, 32 bytes: the string and a reference to the <c>fmt::Arguments</c>), and a
/// constant one as a <c>&amp;str</c> (<c>StaticStrPayload</c>, 16 bytes). Reading them calls nothing in the process, and the
/// text is the runtime's own formatting.
/// </remarks>
internal static class RustPanicAnalysis
{
    private const int MaxMessage = 64 * 1024;
    private const string Category = "Rust panic";

    /// <summary>The stop at the panic entry: the message from rdi/rsi, landing on the user's frame.</summary>
    public static StopDiagnosis AtPanicEntry(StopContext context, StopDiagnosis basis)
    {
        var message = ReadPayload(context.Memory, context.Registers.Rdi, context.Registers.Rsi);
        return Panic(context, basis, message, aborting: false);
    }

    /// <summary>True when the backtrace of an abort passes through Rust's panic machinery (a panic under panic=abort).</summary>
    public static bool IsPanicAbort(IReadOnlyList<BacktraceFrame> frames) =>
        frames.Any(f => f.Function is { } n && IsPanicFrame(RuntimeFrames.Bare(n)));

    /// <summary>True when the backtrace of an abort passes through <c>std::process::abort</c>.</summary>
    public static bool IsProcessAbort(IReadOnlyList<BacktraceFrame> frames) =>
        frames.Any(f => f.Function is { } n && RuntimeFrames.Bare(n) == "std::process::abort");

    /// <summary>A SIGABRT raised because of a panic under panic=abort; the message is the one the panic entry reported earlier.</summary>
    public static StopDiagnosis Aborting(StopContext context, StopDiagnosis basis) =>
        Panic(context, basis, context.EarlierPanic?.Message, aborting: true);

    /// <summary>A SIGABRT from <c>std::process::abort()</c>, named with the user's function that called it.</summary>
    public static StopDiagnosis ProcessAbort(StopContext context, StopDiagnosis basis)
    {
        var landing = RuntimeFrames.UserCaller(context.Backtrace, n => RuntimeFrames.Bare(n) == "std::process::abort",
            n => RuntimeFrames.IsRust(n) || RuntimeFrames.IsC(n), "called std::process::abort()");
        var who = landing is null ? "" : $" called from {landing.Function ?? "an unknown function"}{(landing.Location is { Line: > 0 } l ? $" at {l}" : "")}";
        return basis with
        {
            Kind = StopKind.Abort,
            Category = "Abort",
            Description = $"std::process::abort(){who}",
            ShortText = "Abort",
            Details = [$"std::process::abort(){who}"],
            Landing = landing,
        };
    }

    private static StopDiagnosis Panic(StopContext context, StopDiagnosis basis, string? message, bool aborting)
    {
        var landing = FirstUserFrame(context.Backtrace);
        var where = landing?.Location is { Line: > 0 } l ? $" at {l}" : "";
        var mode = aborting ? " (panic=abort)" : "";
        var description = message is null
            ? $"Rust panic{mode}{(landing?.Function is { } f ? $" in {f}" : "")}{where}"
            : $"Rust panic{mode}: {message}";
        var details = new List<string>();
        if (message is not null) details.Add(message);
        if (landing is not null) details.Add($"panicked in {landing.Function ?? "an unknown function"}{where}");
        if (message is null) details.Add(aborting
            ? "the message was not captured: the panic entry was not reached with a breakpoint before the abort"
            : "the panic payload could not be read");
        return basis with
        {
            Kind = StopKind.RustPanic,
            Category = Category,
            Message = message,
            Description = description,
            ShortText = "Panic",
            Details = details,
            Landing = landing,
        };
    }

    // The panic's own frames and those of the abort below them.
    private static bool IsPanicFrame(string name) =>
        name is "rust_panic" or "__rustc::rust_panic" or "std::panicking::rust_panic" or "rust_begin_unwind" or "__rustc::rust_begin_unwind"
        || name.StartsWith("std::panicking::rust_panic_with_hook", StringComparison.Ordinal)
        || name.StartsWith("std::panicking::begin_panic", StringComparison.Ordinal)
        || name.StartsWith("core::panicking::", StringComparison.Ordinal);

    /// <summary>The innermost frame that is neither Rust's runtime nor libc's abort: where the user's code panicked.</summary>
    public static LandingFrame? FirstUserFrame(IReadOnlyList<BacktraceFrame> frames)
    {
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].Function is not { } name) continue;
            if (RuntimeFrames.IsUnnamed(name) || RuntimeFrames.IsRust(name) || RuntimeFrames.IsC(name)) continue;
            return RuntimeFrames.Landing(frames, i, "the user's code that panicked");
        }
        return null;
    }

    /// <summary>The message in a <c>&amp;mut dyn PanicPayload</c> (data pointer, vtable pointer), or null when it cannot be read.</summary>
    public static string? ReadPayload(IByteSource? memory, ulong data, ulong vtable)
    {
        if (memory is null || data == 0 || vtable == 0) return null;
        if (memory.ReadWord(vtable + 8) is not { } size || size is 0 or > 64 || size % 8 != 0) return null;
        var words = new ulong[size / 8];
        for (var i = 0; i < words.Length; i++)
        {
            if (memory.ReadWord(data + (ulong)i * 8) is not { } w) return null;
            words[i] = w;
        }
        // &str: (pointer, length).
        if (words.Length == 2) return ReadText(memory, words[0], words[1]);
        // A String (capacity, pointer, length) at any word, as rustc lays out Vec<u8>; a capacity with the top bit set is the
        // niche of Option<String>::None (the message was never formatted).
        for (var i = 0; i + 3 <= words.Length; i++)
        {
            var (cap, ptr, len) = (words[i], words[i + 1], words[i + 2]);
            if (cap >> 63 != 0 || len > cap || ptr == 0) continue;
            if (ReadText(memory, ptr, len) is { } text) return text;
        }
        for (var i = 0; i + 2 <= words.Length; i++)
        {
            if (words[i] != 0 && words[i + 1] is > 0 and < MaxMessage && ReadText(memory, words[i], words[i + 1]) is { } text) return text;
        }
        return null;
    }

    private static string? ReadText(IByteSource memory, ulong address, ulong length)
    {
        if (length > MaxMessage || address == 0) return null;
        if (length == 0) return "";
        var bytes = new byte[length];
        if (memory.Read(address, bytes) != bytes.Length) return null;
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

}
