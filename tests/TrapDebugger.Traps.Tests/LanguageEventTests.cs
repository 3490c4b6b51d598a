using System.Buffers.Binary;
using System.Text;
using TrapDebugger.Traps.Tests.Support;

namespace TrapDebugger.Traps.Tests;

/// <summary>Rust panic payloads, runtime frames, language-event symbols and the wording of a pick, on hand-made process images.</summary>
public sealed class LanguageEventTests
{
    private const ulong Vtable = 0x10000, Payload = 0x20000, Text = 0x30000, Inner = 0x40000;

    private static byte[] Words(params ulong[] words)
    {
        var bytes = new byte[words.Length * 8];
        for (var i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), words[i]);
        return bytes;
    }

    private static readonly BacktraceFrame[] PanicFrames =
    [
        new(0x1000, "std::panicking::rust_panic", null),
        new(0x1100, "std::panicking::rust_panic_with_hook", null),
        new(0x1200, "core::panicking::panic_bounds_check", null),
        new(0x1300, "<usize as core::slice::index::SliceIndex<[T]>>::index", null),
        new(0x1400, "jobs::pick", new SourceLocation("/src/main.rs", 21, 6)),
        new(0x1500, "jobs::main", new SourceLocation("/src/main.rs", 43, 37)),
    ];

    private static StopDiagnosis PanicStop(IByteSource memory) => StopAnalysis.Diagnose(new StopContext
    {
        Registers = new RegisterState { Rdi = Payload, Rsi = Vtable },
        Signal = new SignalInfo(0, 0x80),
        Memory = memory,
        Event = LanguageEvent.RustPanic,
        Backtrace = PanicFrames,
    });

    [Fact]
    public void FormattedPanicMessageIsReadFromTheStringInThePayload()
    {
        const string message = "index out of bounds: the len is 4 but the index is 9";
        var memory = new SparseMemory()
            .Add(Vtable, Words(0x9999, 32, 8))
            .Add(Payload, Words(64, Text, (ulong)message.Length, Inner))
            .Add(Text, Encoding.UTF8.GetBytes(message + "garbage after the length"));
        var d = PanicStop(memory);
        Assert.Equal(StopKind.RustPanic, d.Kind);
        Assert.Equal(message, d.Message);
        Assert.Equal($"Rust panic: {message}", d.Description);
        Assert.Equal(4, d.Landing?.FrameIndex);
        Assert.Equal("jobs::pick", d.Landing?.Function);
    }

    [Fact]
    public void ConstantPanicMessageIsReadFromTheStr()
    {
        const string message = "attempt to add with overflow";
        var memory = new SparseMemory()
            .Add(Vtable, Words(0x9999, 16, 8))
            .Add(Payload, Words(Text, (ulong)message.Length))
            .Add(Text, Encoding.UTF8.GetBytes(message));
        Assert.Equal(message, PanicStop(memory).Message);
    }

    [Fact]
    public void UnformattedPayloadGivesNoMessageButStillAPanic()
    {
        // Option<String>::None: the capacity word holds the niche (top bit set), and no other word pair is a string.
        var memory = new SparseMemory()
            .Add(Vtable, Words(0x9999, 32, 8))
            .Add(Payload, Words(0x8000_0000_0000_0000, 0, 0, 0));
        var d = PanicStop(memory);
        Assert.Equal(StopKind.RustPanic, d.Kind);
        Assert.Null(d.Message);
        Assert.Equal("jobs::pick", d.Landing?.Function);
    }

    [Fact]
    public void PanicAbortTakesTheMessageOfTheEarlierPanicStop()
    {
        var earlier = new StopDiagnosis { Kind = StopKind.RustPanic, Description = "Rust panic: boom", ShortText = "Panic", Message = "boom" };
        BacktraceFrame[] frames =
        [
            new(0x10, "__pthread_kill_implementation", null), new(0x20, "raise", null), new(0x30, "abort", null),
            new(0x40, "std::sys::pal::unix::abort_internal", null), new(0x50, "__rustc::__rust_start_panic", null),
            .. PanicFrames,
        ];
        var d = StopAnalysis.Diagnose(new StopContext
        {
            Registers = new RegisterState(),
            Signal = new SignalInfo(Signals.SIGABRT, -6),
            Backtrace = frames,
            EarlierPanic = earlier,
        });
        Assert.Equal(StopKind.RustPanic, d.Kind);
        Assert.Equal("Rust panic (panic=abort): boom", d.Description);
        Assert.Equal("jobs::pick", d.Landing?.Function);
    }

    [Fact]
    public void UsersImplOfARuntimeTraitIsTheUsersFrame()
    {
        var frames = new BacktraceFrame[]
        {
            new(0x1000, "std::panicking::rust_panic", null),
            new(0x1100, "<alloc::vec::Vec<T,A> as core::ops::index::Index<I>>::index", null),
            new(0x1200, "<jobs::Job as core::fmt::Debug>::fmt", new SourceLocation("/src/main.rs", 9, 1)),
            new(0x1300, "jobs::main", new SourceLocation("/src/main.rs", 43, 37)),
        };
        var d = StopAnalysis.Diagnose(new StopContext
        {
            Registers = new RegisterState(),
            Signal = new SignalInfo(0, 0x80),
            Event = LanguageEvent.RustPanic,
            Backtrace = frames,
        });
        Assert.Equal(2, d.Landing?.FrameIndex);
    }

    [Theory]
    [InlineData("__rustc::rust_panic", true)]
    [InlineData("std::panicking::rust_panic::h0123456789abcdef", true)]
    [InlineData("rust_panic", true)]
    [InlineData("std::panicking::rust_panic_with_hook", false)]
    public void PanicEntryIsRecognizedUnderEveryMangling(string name, bool entry) =>
        Assert.Equal(entry, LanguageEventSymbols.IsEntry(LanguageEvent.RustPanic, name));

    [Fact]
    public void ConfidenceIsWordedOnceFromTheOrigins()
    {
        TrapOrigin Origin(int rank, ConditionStatus condition, bool agree = false) =>
            new() { BranchAddress = (ulong)rank, Rank = rank, Condition = condition, LiveFlagsAgree = agree, Evidence = $"e{rank}" };
        IReadOnlyList<TrapOrigin> confirmed = [Origin(1, ConditionStatus.Holds), Origin(2, ConditionStatus.DoesNotHold)];
        IReadOnlyList<TrapOrigin> likely = [Origin(1, ConditionStatus.Holds), Origin(2, ConditionStatus.Holds)];
        IReadOnlyList<TrapOrigin> unmatched = [Origin(1, ConditionStatus.DoesNotHold), Origin(2, ConditionStatus.DoesNotHold)];
        Assert.Equal(PickConfidence.Confirmed, StopWording.ConfidenceOf(confirmed));
        Assert.Equal(PickConfidence.Likely, StopWording.ConfidenceOf(likely));
        Assert.Equal(PickConfidence.Unmatched, StopWording.ConfidenceOf(unmatched));
        Assert.Equal(PickConfidence.Only, StopWording.ConfidenceOf([Origin(1, ConditionStatus.Holds)]));
        Assert.Equal("X: y (1 of 2 merged checks; condition holds: e1)", StopWording.Headline("X: y", PickConfidence.Confirmed, confirmed));
        Assert.Equal("X: y (1 of 2 merged checks; most likely: e1)", StopWording.Headline("X: y", PickConfidence.Likely, likely));
        Assert.Equal("X: y", StopWording.Headline("X: y", PickConfidence.Only, confirmed));
    }
}
