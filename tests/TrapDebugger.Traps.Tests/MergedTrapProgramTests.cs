using TrapDebugger.TestSupport;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>Real programs: one function with four verbose-trap checks, built at -O0 (one ud2 per check, messages in DWARF) and
/// -O2 (all checks merged into one ud2, messages dropped). Each input makes one check fire; the program runs under gdb to
/// capture the real registers at the SIGILL, and the analysis must rank the check that fired first, with its condition holding.</summary>
public sealed class MergedTrapProgramTests
{
    /// <summary>The program's source (shared with the catalog tests).</summary>
    public const string ProgramSource = Source;

    private const string Source = """
        #include <stdlib.h>
        struct buf { int *data; unsigned long size; };

        static inline int checked_at(const struct buf *b, unsigned long i) {
            if (i >= b->size) __builtin_verbose_trap("Bounds check", "index out of range"); // CHECK:bounds
            return b->data[i];
        }

        __attribute__((noinline)) int compute(const struct buf *b, unsigned long i, int divisor, int limit) {
            if (b == 0) // CHECK:null
                __builtin_verbose_trap("Null check",
                                       "buffer is null");
            if (divisor == 0) __builtin_verbose_trap("Division", "divisor is zero"); // CHECK:division
            int v = checked_at(b, i);
            if (v > limit) __builtin_verbose_trap( // CHECK:range
                "Range check", "value above limit");
            return v / divisor;
        }

        int main(int argc, char **argv) {
            static int data[4] = {1, 2, 3, 40};
            struct buf b = {data, 4};
            int mode = argc > 1 ? atoi(argv[1]) : 0;
            switch (mode) {
            case 1: return compute(0, 0, 1, 100);
            case 2: return compute(&b, 1, 0, 100);
            case 3: return compute(&b, 9, 1, 100);
            case 4: return compute(&b, 3, 1, 10);
            }
            return compute(&b, 0, 1, 100);
        }
        """;

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var variant in new[] { "clang22-O0", "clang22-O2", "clang19-O2" })
        {
            data.Add(variant, "1", "null", "Null check: buffer is null");
            data.Add(variant, "2", "division", "Division: divisor is zero");
            data.Add(variant, "3", "bounds", "Bounds check: index out of range");
            data.Add(variant, "4", "range", "Range check: value above limit");
        }
        return data;
    }

    private static BuildVariant Variant(string name) => name switch
    {
        "clang22-O0" => BuildVariant.Clang22O0,
        "clang22-O2" => BuildVariant.Clang22O2,
        _ => BuildVariant.Clang19O2,
    };

    private static int MarkerLine(string marker) =>
        Source.Split('\n').Select((text, index) => (text, index)).Single(l => l.text.Contains($"// CHECK:{marker}")).index + 1;

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheCheckThatFiredIsRankedFirst(string variantName, string input, string marker, string description)
    {
        var program = Fixtures.CompileSource(Source, "checks.c", Variant(variantName));
        var stop = GdbStop.Run(program, input);
        Assert.Contains("SIGILL", stop.Signal);
        var symbols = new LlvmSymbolizer(program, stop.LoadBias);
        var function = symbols.FindFunction(stop.Registers.Rip);
        Assert.NotNull(function);
        // At -O0 the helper is not inlined, so its check traps in the helper itself.
        var expectedFunction = marker == "bounds" && variantName.EndsWith("O0", StringComparison.Ordinal) ? "checked_at" : "compute";
        Assert.True(function.Name == expectedFunction, $"stopped in {function.Name}");
        var memory = stop.Memory(program);
        symbols.Prefetch(Enumerable.Range(0, (int)(function.End - function.Start)).Select(o => function.Start + (ulong)o));

        var d = StopAnalysis.Diagnose(new StopContext
        {
            Registers = stop.Registers,
            Signal = new SignalInfo(Signals.SIGILL, 2, stop.Registers.Rip),
            Memory = memory,
            Symbols = symbols,
            Sources = new FileSourceText(Path.GetDirectoryName(program)),
        });

        var top = d.Origins[0];
        var why = $"{variantName} input {input}: {d.Description}\n{string.Join("\n", d.Details)}";
        Assert.True(top.Condition == ConditionStatus.Holds, why);
        Assert.True(description == VerboseTrapName.Describe(top.Category ?? "", top.Message ?? ""), why);
        Assert.True(top.Location?.Line == MarkerLine(marker), why);
        Assert.NotNull(d.Landing);
        if (variantName.EndsWith("O0", StringComparison.Ordinal))
        {
            // Unmerged: the message comes from the trap frame, and the user lands on the call of __builtin_verbose_trap.
            Assert.Equal(StopKind.VerboseTrap, d.Kind);
            Assert.Equal(description, d.Description);
            Assert.Equal(MessageSource.Dwarf, top.MessageSource);
            Assert.InRange(d.Landing.Location?.Line ?? 0, MarkerLine(marker), MarkerLine(marker) + 1);
        }
        else
        {
            Assert.Equal(StopKind.MergedTrap, d.Kind);
            Assert.Equal(MessageSource.RecoveredFromSource, top.MessageSource);
            Assert.True(d.Origins.Count >= 4, why);
            // The live flags single out the compare that ran last, so the stop reason names the check without hedging.
            Assert.True(top.LiveFlagsAgree, why);
            Assert.StartsWith(description, d.Description);
            Assert.Equal(MarkerLine(marker), d.Landing.Location?.Line);
            if (marker == "bounds") Assert.Equal("checked_at", top.InlinedFrom);
        }
    }
}
