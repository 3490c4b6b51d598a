using System.Text.Json;
using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests;

/// <summary><c>trapdbg run --json</c> on crashes from real runtimes: Rust panics (debug and release, unwind and abort, legacy and
/// v0 mangling), uncaught C++ exceptions (libstdc++ with g++ and clang++, libc++), calls through null and weak pointers, and a
/// program that handles its own SIGSEGV. Each asserts the message read from the process, the landing line and the named symbol.</summary>
public sealed class CrashTests
{
    private const int SIGABRT = 6, SIGSEGV = 11, SIGKILL = 9;

    private static readonly string RustSource = Path.Combine(Repository.FixtureSources, "rust_abort.rs");
    private static readonly string CxxSource = Path.Combine(Repository.FixtureSources, "cxx_uncaught.cpp");
    private static readonly string NullCallSource = Path.Combine(Repository.FixtureSources, "null_call.c");

    private static BuildVariant Variant(string name) =>
        new[] { BuildVariant.Clang22O0, BuildVariant.Clang22O2, BuildVariant.Clang19O0, BuildVariant.Clang19O2, BuildVariant.GccO0, BuildVariant.GccO2,
            BuildVariant.RustcDebug, BuildVariant.RustcRelease }.Single(v => v.ToString() == name);

    public static TheoryData<string, string, string, string, string> RustPanics()
    {
        var data = new TheoryData<string, string, string, string, string>();
        foreach (var v in new[] { "rustc-O0", "rustc-O2" })
        {
            foreach (var fixture in new[] { "rust_panic", "rust_panic_v0", "rust_abort" })
                data.Add(fixture, v, "index 9", "index out of bounds: the len is 4 but the index is 9", "&jobs[index]");
            data.Add("rust_panic_v0", v, "unwrap", "called `Option::unwrap()` on a `None` value", "\"unwrap\" =>");
            data.Add("rust_abort", v, "panic", "job queue corrupted: 4 jobs", "panic!(\"job queue corrupted");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RustPanics))]
    public async Task RustPanicIsTheStopWithTheRuntimesMessage(string fixture, string variant, string input, string message, string statement)
    {
        var binary = Fixtures.Build(fixture, Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, input.Split(' '));
        Assert.True(result.Status == 128 + SIGKILL, $"status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("rust-panic", stop.Str("kind"));
        Assert.Equal(message, stop.Str("message"));
        Assert.Equal($"Rust panic: {message}", stop.Str("reason"));
        AssertLandsOn(stop, RustSource, statement);
    }

    [Theory]
    [InlineData("rustc-O0")]
    [InlineData("rustc-O2")]
    public async Task ProcessAbortIsNamedWithItsCaller(string variant)
    {
        var binary = Fixtures.Build("rust_abort", Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, "abort");
        Assert.True(result.Status == 128 + SIGABRT, $"status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("abort", stop.Str("kind"));
        Assert.StartsWith("std::process::abort() called from rust_abort::self_check", stop.Str("reason"), StringComparison.Ordinal);
        AssertLandsOn(stop, RustSource, "process::abort();");
    }

    public static TheoryData<string, string, string, string, string?, string> UncaughtExceptions()
    {
        var data = new TheoryData<string, string, string, string, string?, string>();
        foreach (var v in new[] { "clang22-O0", "clang22-O2", "gcc-O0", "gcc-O2" })
        {
            data.Add("cxx_uncaught", v, "at", "std::out_of_range", "vector::_M_range_check: __n (which is 7) >= this->size() (which is 3)", "return prices.at(depth);");
            data.Add("cxx_uncaught", v, "runtime", "std::runtime_error", "order book is empty", "throw std::runtime_error(\"order book is empty\");");
            data.Add("cxx_uncaught", v, "custom", "book_error", "order 17 has quantity -3", "throw book_error(");
            data.Add("cxx_uncaught", v, "int", "int", null, "throw code;");
            data.Add("cxx_uncaught", v, "noexcept", "std::logic_error", "audit refused for mallory", "throw std::logic_error(");
        }
        foreach (var v in new[] { "clang22-O0", "clang22-O2" })
        {
            data.Add("cxx_uncaught_libcxx", v, "at", "std::out_of_range", "vector", "return prices.at(depth);");
            data.Add("cxx_uncaught_libcxx", v, "runtime", "std::runtime_error", "order book is empty", "throw std::runtime_error(\"order book is empty\");");
            data.Add("cxx_uncaught_libcxx", v, "custom", "book_error", "order 17 has quantity -3", "throw book_error(");
            data.Add("cxx_uncaught_libcxx", v, "int", "int", null, "throw code;");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(UncaughtExceptions))]
    public async Task UncaughtExceptionNamesTypeAndWhatAndLandsOnTheThrow(string fixture, string variant, string input, string type, string? what, string statement)
    {
        var binary = Fixtures.Build(fixture, Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, input);
        Assert.True(result.Status == 128 + SIGABRT, $"status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("uncaught-exception", stop.Str("kind"));
        Assert.Equal(type, stop.Str("exceptionType"));
        Assert.Equal(what, stop.Str("message"));
        Assert.Equal(what is null ? $"Uncaught C++ exception {type}" : $"Uncaught C++ exception {type}: {what}", stop.Str("reason"));
        // A throw that escapes a noexcept function terminates there: the stack is unwound to it, the throw is gone.
        AssertLandsOn(stop, CxxSource, input == "noexcept" && variant.EndsWith("O2", StringComparison.Ordinal) ? "void audit(" : statement, alternative: statement);
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("gcc-O0")]
    [InlineData("gcc-O2")]
    public async Task CallThroughNullMemberLandsOnTheCallerAndNamesThePointer(string variant)
    {
        var binary = Fixtures.Build("null_call", Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, "flush");
        Assert.Equal(128 + SIGSEGV, result.Status);
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("null-call", stop.Str("kind"));
        AssertLandsOn(stop, NullCallSource, "int r = c->ops->flush(c);");
        // The caller is frame 1, right below the null pc, and main follows it.
        var frames = result.Json.GetProperty("thread").Items("frames").ToList();
        Assert.Equal("finish", frames[1].Str("function"));
        Assert.Equal("main", frames[2].Str("function"));
        if (variant.EndsWith("O2", StringComparison.Ordinal))
            Assert.Contains("`c->ops->flush` is null", stop.Str("reason"), StringComparison.Ordinal);
        else
            Assert.Contains("function pointer", stop.Str("reason"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("gcc-O0")]
    [InlineData("gcc-O2")]
    public async Task CallOfUndefinedWeakFunctionNamesTheSymbol(string variant)
    {
        var binary = Fixtures.Build("null_call", Variant(variant));
        var result = await CliRun.RunAsync(true, binary.Program, "hook");
        Assert.Equal(128 + SIGSEGV, result.Status);
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("null-call", stop.Str("kind"));
        Assert.EndsWith("weak symbol `hook` is not defined in any loaded module", stop.Str("reason"), StringComparison.Ordinal);
        AssertLandsOn(stop, NullCallSource, "int r = hook(level);");
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("gcc-O2")]
    public async Task HandledSegvIsPassedAndAnUnhandledOneStops(string variant)
    {
        var binary = Fixtures.Build("handled_segv", Variant(variant));
        var handled = await CliRun.RunAsync(false, binary.Program, "probe");
        Assert.True(handled.Status == 0, $"status {handled.Status}: {handled.Output}{handled.Error}");
        Assert.DoesNotContain("stopped", handled.Output, StringComparison.Ordinal);
        var crash = await CliRun.RunAsync(true, binary.Program, "crash");
        Assert.Equal(128 + SIGSEGV, crash.Status);
        Assert.Equal("null-read", crash.Json.GetProperty("stop").Str("kind"));
    }

    private static void AssertLandsOn(JsonElement stop, string source, string text, string? alternative = null)
    {
        var landing = stop.GetProperty("landing");
        Assert.Equal(Path.GetFileName(source), Path.GetFileName(landing.Str("file")));
        var line = landing.Int("line");
        var expected = FixtureSource.LineContaining(source, text);
        if (alternative is not null && line != expected) expected = FixtureSource.LineContaining(source, alternative);
        Assert.Equal(expected, line);
    }
}

/// <summary><c>trapdbg run --json</c> on GCC's trap-mode checks, a divisor that is a struct field, and an abort raised inside
/// the C library: the check named from its code shape, the divisor named as the field, the landing on the program's call.</summary>
public sealed class CheckShapeTests
{
    private const int SIGILL = 4, SIGABRT = 6, SIGFPE = 8;
    private static readonly string Source = Path.Combine(Repository.FixtureSources, "gcc_checks.c");

    public static TheoryData<string, string, string, string> GccChecks()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var v in new[] { "gcc-O0", "gcc-O2" })
        {
            data.Add(v, "mul 65536 65536", "signed integer overflow in multiplication", "w->load = a * b;");
            data.Add(v, "add 2147483647 1", "signed integer overflow in addition", "return a + b;");
        }
        foreach (var v in new[] { "gcc-O0", "gcc-O2" })
        {
            // -O0 combines the exponent and base conditions with setcc and one `or` before a single branch; -O2 branches on each.
            data.Add(v, "shift 1 40", "shift exponent too large for the type", "return a << b;");
            data.Add(v, "shift 1073741824 3", "left shift does not fit in the type", "return a << b;");
        }
        data.Add("gcc-O2", "index 1 9", "index out of bounds (the limit is 8)", "return w->slots[b];");
        // Unoptimized: the compare uses one copy of `b` and the access another, with the pointer check in between.
        data.Add("gcc-O0", "index 1 9", "index out of bounds (the limit is 8)", "return w->slots[b];");
        // A null check among the multiplication's checks: neither the imul's flags nor the alignment test may win.
        data.Add("gcc-O0", "nullmul 3 4", "null pointer", "w->load = a * b;");
        data.Add("gcc-O2", "nullmul 3 4", "null pointer", "w->load = a * b;");
        return data;
    }

    [Theory]
    [MemberData(nameof(GccChecks))]
    public async Task GccTrapModeCheckIsNamedFromItsCode(string variant, string input, string message, string statement)
    {
        var binary = Fixtures.Build("gcc_checks", variant == "gcc-O0" ? BuildVariant.GccO0 : BuildVariant.GccO2);
        var result = await CliRun.RunAsync(true, binary.Program, input.Split(' '));
        Assert.True(result.Status == 128 + SIGILL, $"status {result.Status}: {result.Error}");
        var stop = result.Json.GetProperty("stop");
        Assert.Equal(message, stop.Str("message"));
        Assert.Equal("inferred", stop.Str("messageSource"));
        Assert.StartsWith($"Check: {message}", stop.Str("reason"), StringComparison.Ordinal);
        Assert.Equal(FixtureSource.LineContaining(Source, statement), stop.GetProperty("landing").Int("line"));
        var origins = stop.Items("origins").ToList();
        Assert.Equal(message, origins[0].Str("message"));
        if (origins.Count > 1) Assert.Contains(stop.Str("confidence"), new[] { "confirmed", "likely" });
    }

    [Fact]
    public async Task CombinedUnoptimizedShiftCheckSaysWhichConditionHeldInTheVariablesTerms()
    {
        // GCC -O0: seta after `cmp ecx, 31` (ecx a copy of b, loaded from its slot) or-ed with the base check, then test/je.
        var binary = Fixtures.Build("gcc_checks", BuildVariant.GccO0);
        var result = await CliRun.RunAsync(true, binary.Program, "shift", "1", "40");
        Assert.True(result.Status == 128 + SIGILL, $"status {result.Status}: {result.Error}");
        var origin = result.Json.GetProperty("stop").Items("origins").First();
        Assert.Equal("holds", origin.Str("condition"));
        Assert.Matches(@"b \(loaded from \[rbp-0x[0-9a-f]+\]\) = 40 > 31", origin.Str("evidence"));
    }

    [Theory]
    [InlineData("gcc-O2")]
    [InlineData("clang22-O2")]
    [InlineData("gcc-O0")]
    [InlineData("clang22-O0")]
    public async Task ZeroDivisorIsNamedAsTheField(string variant)
    {
        var build = variant switch { "gcc-O2" => BuildVariant.GccO2, "gcc-O0" => BuildVariant.GccO0, "clang22-O0" => BuildVariant.Clang22O0, _ => BuildVariant.Clang22O2 };
        var binary = Fixtures.Build("divisor_field", build);
        var result = await CliRun.RunAsync(true, binary.Program, "div", "5", "0");
        Assert.Equal(128 + SIGFPE, result.Status);
        var stop = result.Json.GetProperty("stop");
        Assert.Equal("division-by-zero", stop.Str("kind"));
        Assert.Contains("`w->requests`", stop.Str("reason"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gcc_checks", "gcc-O0", "index 1 9", "b")]
    [InlineData("ubsan_trap", "clang22-O0", "index 0 12", "slot")]
    public async Task UnoptimizedCheckEvidenceNamesTheLocalNotItsStackAddress(string fixture, string variant, string input, string local)
    {
        // Both compilers' unoptimized checks compare a register loaded from the variable's stack slot.
        var binary = Fixtures.Build(fixture, variant == "gcc-O0" ? BuildVariant.GccO0 : BuildVariant.Clang22O0);
        var result = await CliRun.RunAsync(true, binary.Program, input.Split(' '));
        Assert.True(result.Status == 128 + SIGILL, $"status {result.Status}: {result.Error}");
        var evidence = result.Json.GetProperty("stop").Items("origins").First().Str("evidence");
        Assert.StartsWith($"{local} (", evidence, StringComparison.Ordinal);
        Assert.Contains("loaded from [rbp-0x", evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gcc-O0")]
    [InlineData("clang22-O2")]
    public async Task AbortInsideTheCLibraryLandsOnTheProgramsCall(string variant)
    {
        var binary = Fixtures.Build("double_free", variant == "gcc-O0" ? BuildVariant.GccO0 : BuildVariant.Clang22O2);
        var result = await CliRun.RunAsync(true, binary.Program, "twice");
        Assert.Equal(128 + SIGABRT, result.Status);
        var stop = result.Json.GetProperty("stop");
        Assert.Contains("double free", stop.Str("message"), StringComparison.Ordinal);
        var landing = stop.GetProperty("landing");
        Assert.Equal("double_free.c", Path.GetFileName(landing.Str("file")));
        // The release itself, or (when the optimizer inlined it and left only the call of free) the second release in main.
        var source = Path.Combine(Repository.FixtureSources, "double_free.c");
        int[] lines = [FixtureSource.LineContaining(source, "free(buffer);"), FixtureSource.LineContaining(source, "if (!strcmp(mode, \"twice\"))") + 1];
        Assert.Contains(landing.Int("line")!.Value, lines);
    }
}
