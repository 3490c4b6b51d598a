using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>Trap-message frame names and message recovery from source text.</summary>
public sealed class VerboseTrapTextTests
{
    [Theory]
    [InlineData("__clang_trap_msg$Bounds check$index out of range", true, "Bounds check", "index out of range", "Bounds check: index out of range")]
    [InlineData("__clang_trap_msg$$only a message", true, "", "only a message", "<empty category>: only a message")]
    [InlineData("__clang_trap_msg$Only category$", true, "Only category", "", "Only category")]
    [InlineData("__clang_trap_msg$libc++$vector[] index out of bounds", true, "libc++", "vector[] index out of bounds", "libc++: vector[] index out of bounds")]
    [InlineData("__clang_trap_msg$Undefined Behavior Sanitizer$signed integer addition overflow in 'a + b'", true, "Undefined Behavior Sanitizer", "signed integer addition overflow in 'a + b'", "Undefined Behavior Sanitizer: signed integer addition overflow in 'a + b'")]
    [InlineData("__clang_trap_msg$libc++$span:537: libc++ Hardening assertion __idx < size() failed: index out of range\n", true, "libc++", "span:537: libc++ Hardening assertion __idx < size() failed: index out of range\n", "libc++: span:537: libc++ Hardening assertion __idx < size() failed: index out of range")]
    [InlineData("Swift runtime failure: Division by zero", true, "Swift runtime failure", "Division by zero", "Swift runtime failure: Division by zero")]
    [InlineData("__clang_trap_msg$no second dollar", false, "", "", "")]
    [InlineData("compute", false, "", "", "")]
    public void FrameNamesSplitIntoCategoryAndMessage(string name, bool ok, string category, string message, string description)
    {
        Assert.Equal(ok, VerboseTrapName.TryParse(name, out var c, out var m));
        if (!ok) return;
        Assert.Equal(category, c);
        Assert.Equal(message, m);
        Assert.Equal(description, VerboseTrapName.Describe(c, m));
    }

    private sealed class Lines(params string[] lines) : ISourceText
    {
        public string? GetLine(string file, int line) => line >= 1 && line <= lines.Length ? lines[line - 1] : null;
    }

    public static TheoryData<string[], int, string?, string?> SourceCases => new()
    {
        { ["if (i >= n) __builtin_verbose_trap(\"Bounds\", \"index out of range\");"], 1, "Bounds", "index out of range" },
        { ["if (p == 0)", "    __builtin_verbose_trap(\"Null check\",", "                           \"pointer is null\");"], 1, "Null check", "pointer is null" },
        { ["if (v > limit) __builtin_verbose_trap(", "    \"Range\", \"value \" \"above \"", "    \"limit\");"], 1, "Range", "value above limit" },
        { ["__builtin_verbose_trap ( /* why */ \"A\" , \"say \\\"hi\\\"\" );"], 1, "A", "say \"hi\"" },
        { ["if (x) { __builtin_verbose_trap(\"\", \"empty category\"); }"], 1, "", "empty category" },
        { ["if (i >= n) abort();", "__builtin_verbose_trap(\"Other\", \"statement\");"], 1, null, null },
        { ["if (i >= n) __builtin_trap();"], 1, null, null },
        { ["if (x)", "  trap_with(MSG);"], 1, null, null },
        // libc++ hardening macros: category "libc++", message rebuilt as _LIBCPP_ASSERT does (__LINE__ is the ')' line).
        { ["    _LIBCPP_ASSERT_VALID_ELEMENT_ACCESS(__idx < size(), \"span<T>::operator[](index): index out of range\");"], 1,
            "libc++", "x.c:1: libc++ Hardening assertion __idx < size() failed: span<T>::operator[](index): index out of range\n" },
        { ["    _LIBCPP_ASSERT_VALID_INPUT_RANGE(__count == 0 || std::to_address(__first) != nullptr,",
           "                                     \"passed nullptr with non-zero length in span's constructor (iterator, len)\");"], 1,
            "libc++", "x.c:2: libc++ Hardening assertion __count == 0 || std::to_address(__first) != nullptr failed: passed nullptr with non-zero length in span's constructor (iterator, len)\n" },
        { ["  {", "    _LIBCPP_ASSERT_NON_OVERLAPPING_RANGES(!__overlaps(__a, /* end */ __b), // checked", "        \"ranges \" \"overlap\");", "  }"], 1,
            "libc++", "x.c:3: libc++ Hardening assertion !__overlaps(__a, __b) failed: ranges overlap\n" },
        { ["_LIBCPP_ASSERT(__c != '\"', \"quote\");"], 1, "libc++", "x.c:1: libc++ Hardening assertion __c != '\\\"' failed: quote\n" },
        { ["_LIBCPP_ASSERTION_HANDLER(\"message\");"], 1, null, null },
        { ["_LIBCPP_ASSERT_UNCATEGORIZED(__x, __message);"], 1, null, null },
        { ["MY_LIBCPP_ASSERT_X(__x, \"not libc++\");"], 1, null, null },
        { ["_LIBCPP_ASSERT_INTERNAL(__x, \"never closed\""], 1, null, null },
    };

    [Theory]
    [MemberData(nameof(SourceCases))]
    public void MessagesAreRecoveredFromTheCallText(string[] lines, int line, string? category, string? message)
    {
        var ok = VerboseTrapSource.TryRecover(new Lines(lines), "x.c", line, out var c, out var m);
        Assert.Equal(category is not null, ok);
        if (!ok) return;
        Assert.Equal(category, c);
        Assert.Equal(message, m);
    }

    [Fact]
    public void LandingSkipsStdFramesAboveTheTrapMessageFrame()
    {
        // libc++ hardening: the trap frame is inlined into std::vector::operator[], itself inlined into the user's function.
        var chain = new List<InlineFrame>
        {
            new("__clang_trap_msg$libc++$vector[] index out of bounds", new SourceLocation("/usr/include/c++/v1/vector", 400, 5), true),
            new("std::__1::vector<int, std::__1::allocator<int>>::operator[](unsigned long)", new SourceLocation("main.cpp", 7, 12)),
            new("main", null),
        };
        var memory = new SparseMemory().Add(0x1000, [0x0f, 0x0b]);
        var symbols = new ChainSymbols(new SymbolizedLocation("main", chain, new SourceLocation("/usr/include/c++/v1/__assert", 0)));
        var d = StopAnalysis.Diagnose(new StopContext
        {
            Registers = new RegisterState { Rip = 0x1000 },
            Signal = new SignalInfo(Signals.SIGILL, 2, 0x1000),
            Memory = memory,
            Symbols = symbols,
        });
        Assert.Equal(StopKind.VerboseTrap, d.Kind);
        Assert.Equal("libc++: vector[] index out of bounds", d.Description);
        Assert.Equal("libc++", d.Category);
        Assert.NotNull(d.Landing);
        Assert.Equal(2, d.Landing.FrameIndex);
        Assert.Equal("main", d.Landing.Function);
        Assert.Equal(new SourceLocation("main.cpp", 7, 12), d.Landing.Location);
    }

    private sealed class ChainSymbols(SymbolizedLocation at) : ISymbolizer
    {
        public SymbolizedLocation? Symbolize(ulong address) => address == 0x1000 ? at : null;
        public FunctionBounds? FindFunction(ulong address) => new FunctionBounds(0x1000, 0x1002, "main");
    }
}
