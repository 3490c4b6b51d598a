using TrapDebugger.TestSupport;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>The repository's debuggee fixtures, run under gdb to the stop; the diagnosis must name what the fixture documents.</summary>
public sealed class FixtureProgramTests
{
    private static StopDiagnosis Diagnose(FixtureBinary binary, params string[] args)
    {
        var stop = GdbStop.Run(binary.Program, args);
        var symbols = new LlvmSymbolizer(binary.Program, stop.LoadBias);
        if (symbols.FindFunction(stop.Registers.Rip) is { } f)
            symbols.Prefetch(Enumerable.Range(0, (int)(f.End - f.Start)).Select(o => f.Start + (ulong)o));
        // The backtrace an engine builds: the inline frames at the pc (from the line tables), then the physical callers.
        var backtrace = new List<BacktraceFrame>();
        if (symbols.Symbolize(stop.Registers.Rip) is { } at)
            backtrace.AddRange(at.InlineChain.Select((frame, k) => new BacktraceFrame(stop.Registers.Rip, frame.Name, at.LocationOfFrame(k), k + 1 < at.InlineChain.Count)));
        backtrace.AddRange(stop.Callers);
        return StopAnalysis.Diagnose(new StopContext
        {
            Registers = stop.Registers,
            Signal = stop.SignalInfo,
            Memory = stop.Memory(binary.Program),
            Symbols = symbols,
            Sources = new FileSourceText(Repository.FixtureSources),
            Backtrace = backtrace,
        });
    }

    private static BuildVariant Variant(string name) => name switch
    {
        "clang22-O0" => BuildVariant.Clang22O0,
        "clang22-O2" => BuildVariant.Clang22O2,
        "clang19-O0" => BuildVariant.Clang19O0,
        "clang19-O2" => BuildVariant.Clang19O2,
        "gcc-O0" => BuildVariant.GccO0,
        _ => BuildVariant.GccO2,
    };

    public static TheoryData<string, string, string> MultiCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var variant in new[] { "clang22-O0", "clang22-O2", "clang19-O0", "clang19-O2" })
        {
            data.Add(variant, "null", "Null check: source account is NULL");
            data.Add(variant, "bounds", "Bounds check: destination slot out of range");
            data.Add(variant, "state", "State check: source account is not open");
            data.Add(variant, "amount", "Invariant: amount must be positive");
            data.Add(variant, "funds", "Invariant: insufficient funds");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MultiCases))]
    public void VerboseTrapMultiNamesTheCheckThatFired(string variant, string check, string description)
    {
        var d = Diagnose(Fixtures.Build("verbose_trap_multi", Variant(variant)), check);
        var why = $"{variant} {check}: {d.Kind} {d.Description}\n{string.Join("\n", d.Details)}";
        Assert.True(d.Kind is StopKind.VerboseTrap or StopKind.MergedTrap, why);
        Assert.True(d.Description == description || d.Description.StartsWith(description, StringComparison.Ordinal), why);
        var top = d.Origins[0];
        Assert.True(top.Condition == ConditionStatus.Holds, why);
        Assert.Equal(description, VerboseTrapName.Describe(top.Category ?? "", top.Message ?? ""));
        Assert.NotNull(d.Landing?.Location);
        Assert.True(d.Landing.Location.Value.Line > 0, why);
        if (check == "amount" && variant.EndsWith("O2", StringComparison.Ordinal))
            Assert.Equal("require_positive", top.InlinedFrom);
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("gcc-O0")]
    [InlineData("gcc-O2")]
    public void NullFieldIsANullDereferenceAtOffset8(string variant)
    {
        var d = Diagnose(Fixtures.Build("null_field", Variant(variant)), "mallory");
        Assert.Equal(StopKind.NullDereference, d.Kind);
        Assert.NotNull(d.Fault);
        Assert.Equal(8UL, d.Fault.Address);
        Assert.Equal(MemoryAccessKind.Read, d.Fault.Access);
        Assert.Equal(8, d.Fault.Size);
        Assert.Equal(0UL, d.Fault.BaseValue);
        Assert.StartsWith("Null pointer dereference at offset 0x8: reading 8 bytes", d.Description);
    }

    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    public void LibcxxHardeningLandsOutsideStd(string variant)
    {
        var d = Diagnose(Fixtures.Build("libcxx_hardened", Variant(variant)), "vector", "10");
        var why = $"{variant}: {d.Kind} {d.Description} pc 0x{d.TrapAddress:x}\n{string.Join("\n", d.Details)}";
        Assert.True(d.Kind == StopKind.VerboseTrap, why);
        Assert.Equal("libc++", d.Category);
        // libc++ puts the header position and the failed condition in the message: "…/vector.h:417: libc++ Hardening assertion … failed: vector[] index out of bounds".
        Assert.StartsWith("libc++: ", d.Description);
        Assert.Contains("vector[] index out of bounds", d.Description);
        Assert.NotNull(d.Landing?.Function);
        Assert.False(d.Landing.Function.StartsWith("std::", StringComparison.Ordinal), why);
        Assert.EndsWith("libcxx_hardened.cpp", d.Landing.Location?.File);
    }

    public static TheoryData<string, string, string> LibcxxChecks() => new()
    {
        { "vector 10", "vector[] index out of bounds", "return readings_[i].value;" },
        { "span 10", "span<T>::operator[](index): index out of range", "return window[i].value;" },
        { "front", "front() called on an empty vector", "return empty.front().value;" },
    };

    /// <summary>At -O2 the span's two checks (its constructor's <c>count == 0 || ptr != nullptr</c> and the index check) share
    /// one ud2 without message frames: the check that fired must be ranked first and its message rebuilt from the libc++
    /// macro in the header, word for word what the unoptimized build keeps in its debug information.</summary>
    [Theory]
    [MemberData(nameof(LibcxxChecks))]
    public void LibcxxHardeningAtO2NamesTheCheckThatFired(string input, string libcxxMessage, string statement)
    {
        var args = input.Split(' ');
        var optimized = Diagnose(Fixtures.Build("libcxx_hardened", BuildVariant.Clang22O2), args);
        var unoptimized = Diagnose(Fixtures.Build("libcxx_hardened", BuildVariant.Clang22O0), args);
        var why = $"{input}: {optimized.Kind} {optimized.Description}\n{string.Join("\n", optimized.Details)}";

        Assert.True(optimized.Kind is StopKind.VerboseTrap or StopKind.MergedTrap, why);
        Assert.Equal("libc++", optimized.Category);
        Assert.Contains(libcxxMessage, optimized.Message);
        // The trap frame's name ends in libc++'s "\n", which llvm-addr2line's line-based output (the reference symbolizer
        // here) cannot carry: compare without it.
        Assert.Equal(unoptimized.Message?.TrimEnd('\n'), optimized.Message?.TrimEnd('\n'));
        if (optimized.Kind == StopKind.MergedTrap)
        {
            var top = optimized.Origins[0];
            Assert.True(top.Condition == ConditionStatus.Holds, why);
            Assert.Equal(MessageSource.RecoveredFromSource, top.MessageSource);
            // Every other check sharing the trap did not fire.
            Assert.All(optimized.Origins.Skip(1), o => Assert.True(o.Condition != ConditionStatus.Holds, why));
        }
        Assert.EndsWith("libcxx_hardened.cpp", optimized.Landing?.Location?.File);
        var lines = File.ReadAllLines(Path.Combine(Repository.FixtureSources, "libcxx_hardened.cpp"));
        Assert.Equal(Array.FindIndex(lines, l => l.Contains(statement, StringComparison.Ordinal)) + 1, optimized.Landing?.Location?.Line);
    }

    public static TheoryData<string, string, string, string, string> UbsanCases()
    {
        var data = new TheoryData<string, string, string, string, string>();
        // ubsan_trap_reasons is built by clang 22 with trap reasons: each ud1 also gets a trap-message frame.
        foreach (var variant in new[] { "clang22-O0", "clang22-O2", "clang19-O0", "clang19-O2", "reasons-clang22-O0", "reasons-clang22-O2" })
        {
            data.Add(variant, "add", "2147483647 1", "AddOverflow", "signed integer addition overflow");
            data.Add(variant, "sub", "-2147483648 1", "SubOverflow", "signed integer subtraction overflow");
            data.Add(variant, "mul", "65536 65536", "MulOverflow", "signed integer multiplication overflow");
            data.Add(variant, "index", "0 12", "OutOfBounds", "out of bounds");
            data.Add(variant, "shl", "1 40", "ShiftOutOfBounds", "shift");
            data.Add(variant, "div", "7 0", "DivremOverflow", "divi"); // clang 22 emits no trap reason for divrem: the check kind names it
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(UbsanCases))]
    public void UbsanTrapNamesTheCheck(string variant, string operation, string operands, string handler, string clang22Message)
    {
        var reasons = variant.StartsWith("reasons-", StringComparison.Ordinal);
        var fixture = reasons ? "ubsan_trap_reasons" : "ubsan_trap";
        var d = Diagnose(Fixtures.Build(fixture, Variant(reasons ? variant["reasons-".Length..] : variant)), [operation, .. operands.Split(' ')]);
        var why = $"{variant} {operation}: {d.Kind} {d.Description}\n{string.Join("\n", d.Details)}";
        Assert.True(d.Kind == StopKind.UbsanTrap, why);
        Assert.Equal(handler, d.UbsanCheck?.Handler);
        Assert.Equal("Undefined Behavior Sanitizer", d.Category);
        // With trap reasons the trap-message frame carries Clang's precise wording; otherwise the check kind names it.
        if (reasons)
            Assert.Contains(clang22Message, d.Description, StringComparison.OrdinalIgnoreCase);
        else
            // Several checks of one kind share a ud1 at -O2: the headline then says which of them the registers single out.
            Assert.True(d.Description == $"Undefined Behavior Sanitizer: {d.UbsanCheck!.Title}"
                || d.Description.StartsWith($"Undefined Behavior Sanitizer: {d.UbsanCheck!.Title} (1 of {d.Origins.Count} merged checks; ", StringComparison.Ordinal), why);
        Assert.NotNull(d.Landing?.Location);
        Assert.EndsWith("ubsan_trap.c", d.Landing.Location.Value.File);
        Assert.True(d.Landing.Location.Value.Line > 0, why);
    }
}
