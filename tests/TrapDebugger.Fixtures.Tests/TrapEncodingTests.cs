using System.Text.RegularExpressions;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Fixtures.Tests;

/// <summary>The fixtures really contain the trap encodings the debugger is tested against, as LLVM's own tools see them.</summary>
/// <remarks>If a compiler upgrade changes an encoding (for example UBSan trap reasons becoming the default), these
/// tests say so before the debugger's tests fail for a less obvious reason.</remarks>
public partial class TrapEncodingTests(FixtureBuilds builds) : IClassFixture<FixtureBuilds>
{
    private const string TrapMessagePrefix = "__clang_trap_msg$";

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O0")]
    [InlineData("clang19-O2")]
    public void Ubsan_without_reasons_is_ud1_with_no_trap_message(string variant)
    {
        var binary = Build("ubsan_trap", variant);
        Assert.NotEmpty(Ud1Instructions(binary.Program));
        Assert.Empty(TrapMessages(binary.Program));
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    public void Ubsan_with_reasons_names_each_check(string variant)
    {
        var messages = TrapMessages(Build("ubsan_trap_reasons", variant).Program);
        Assert.All(messages, m => Assert.StartsWith("__clang_trap_msg$Undefined Behavior Sanitizer$", m));
        Assert.Contains(messages, m => m.Contains("addition overflow", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("subtraction overflow", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("multiplication overflow", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("index out of bounds", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang19-O0")]
    public void Unoptimized_multi_trap_keeps_one_message_per_check(string variant)
    {
        var messages = TrapMessages(Build("verbose_trap_multi", variant).Program);
        Assert.Equal(
            [
                "__clang_trap_msg$Bounds check$destination slot out of range",
                "__clang_trap_msg$Invariant$amount must be positive",
                "__clang_trap_msg$Invariant$insufficient funds",
                "__clang_trap_msg$Null check$source account is NULL",
                "__clang_trap_msg$State check$source account is not open",
            ],
            messages);
    }

    [Theory]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O2")]
    public void Optimized_multi_trap_is_one_ud2_without_messages(string variant)
    {
        var binary = Build("verbose_trap_multi", variant);
        var transfer = Disassemble(binary.Program, "transfer");
        Assert.Single(transfer, line => line.EndsWith("ud2", StringComparison.Ordinal));
        Assert.Empty(TrapMessages(binary.Program));
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    public void Libcxx_hardening_traps_have_the_libcxx_category(string variant)
    {
        var messages = TrapMessages(Build("libcxx_hardened", variant).Program);
        Assert.Contains(messages, m => m.StartsWith("__clang_trap_msg$libc++$", StringComparison.Ordinal)
            && m.Contains("vector[] index out of bounds", StringComparison.Ordinal));
    }

    [Fact]
    public void Shared_library_holds_the_trap_messages()
    {
        var binary = Build("shlib_trap", "clang22-O0");
        Assert.NotNull(binary.SharedLibrary);
        Assert.Equal(
            ["__clang_trap_msg$Queue check$pop from an empty queue", "__clang_trap_msg$Queue check$queue is full"],
            TrapMessages(binary.SharedLibrary));
        Assert.Empty(TrapMessages(binary.Program));
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O2")]
    [InlineData("gcc-O0")]
    [InlineData("gcc-O2")]
    public void Null_field_read_is_a_load_at_offset_8(string variant)
    {
        // The fixture is only useful if the optimizer kept the faulting load through the unchecked pointer.
        var userId = Disassemble(Build("null_field", variant).Program, "user_id");
        Assert.Contains(userId, line => OffsetEightLoad().IsMatch(line));
    }

    private FixtureBinary Build(string name, string variantName)
    {
        Assert.True(builds.Attempted);
        var fixture = TestSupport.Fixtures.Get(name);
        return TestSupport.Fixtures.Build(fixture, fixture.Variants.Single(v => v.ToString() == variantName));
    }

    /// <summary>The distinct names of the artificial trap-message subprograms, as llvm-dwarfdump prints them.</summary>
    private static List<string> TrapMessages(string file)
    {
        var r = Toolchain.Run(Toolchain.LlvmDwarfdump, ["--debug-info", file]);
        Assert.Equal(0, r.ExitCode);
        return NameAttribute().Matches(r.Stdout).Select(m => m.Groups[1].Value)
            .Where(n => n.StartsWith(TrapMessagePrefix, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> Ud1Instructions(string file) =>
        Disassemble(file, null).Where(l => l.Contains("ud1", StringComparison.Ordinal)).ToList();

    private static List<string> Disassemble(string file, string? symbol)
    {
        List<string> args = ["-d", "--no-show-raw-insn", file];
        if (symbol != null) args.Insert(0, $"--disassemble-symbols={symbol}");
        var r = Toolchain.Run(Toolchain.LlvmObjdump, args);
        Assert.Equal(0, r.ExitCode);
        return r.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
    }

    [GeneratedRegex(@"\bmov[a-z]*\s+0x8\(%r[a-z0-9]+\),")]
    private static partial Regex OffsetEightLoad();

    [GeneratedRegex("DW_AT_name\\s+\\(\"([^\"]*)\"\\)")]
    private static partial Regex NameAttribute();
}
