using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Events;
using TrapDebugger.Native.Proc;
using TrapDebugger.Targets;

namespace TrapDebugger.Engine.Tests;

/// <summary>What a signal does to the program, from its dispositions and the thread's blocked mask, as the kernel decides it.</summary>
public sealed class SignalFateTests
{
    private const int SIGILL = Signals.SIGILL, SIGABRT = Signals.SIGABRT, SIGSEGV = Signals.SIGSEGV, SIGUSR1 = Signals.SIGUSR1,
        SIGPIPE = Signals.SIGPIPE, SIGCHLD = Signals.SIGCHLD, SIGTERM = Signals.SIGTERM;
    private const int SEGV_MAPERR = 1, SI_USER = 0, SI_TKILL = -6;

    private static ulong Bit(int signal) => 1UL << (signal - 1);

    [Theory]
    [InlineData(SIGSEGV, SEGV_MAPERR, 0UL, 0UL, 0UL, SignalFate.Fatal)]
    [InlineData(SIGABRT, SI_TKILL, 0UL, 0UL, 0UL, SignalFate.Fatal)]
    [InlineData(SIGTERM, SI_USER, 0UL, 0UL, 0UL, SignalFate.Fatal)]
    [InlineData(SIGPIPE, SI_USER, 0UL, 1UL << (SIGPIPE - 1), 0UL, SignalFate.Harmless)]
    [InlineData(SIGCHLD, 1, 0UL, 0UL, 0UL, SignalFate.Harmless)]
    [InlineData(SIGSEGV, SEGV_MAPERR, 1UL << (SIGSEGV - 1), 0UL, 0UL, SignalFate.Handled)]
    [InlineData(SIGUSR1, SI_USER, 1UL << (SIGUSR1 - 1), 0UL, 0UL, SignalFate.Handled)]
    // A fault the thread blocks or ignores is forced on it with the default action: the handler never runs.
    [InlineData(SIGSEGV, SEGV_MAPERR, 1UL << (SIGSEGV - 1), 0UL, 1UL << (SIGSEGV - 1), SignalFate.Fatal)]
    [InlineData(SIGILL, 2, 0UL, 1UL << (SIGILL - 1), 0UL, SignalFate.Fatal)]
    // The same signal sent by a process is not forced.
    [InlineData(SIGSEGV, SI_USER, 0UL, 1UL << (SIGSEGV - 1), 0UL, SignalFate.Harmless)]
    public void FateFollowsTheKernelsRules(int signal, int code, ulong caught, ulong ignored, ulong blocked, SignalFate fate) =>
        Assert.Equal(fate, SignalFates.Of(new SignalInfo(signal, code), new SignalDispositions(caught, ignored, blocked)));

    [Fact]
    public void FateOfThisProcessReadsItsDispositions()
    {
        // The test host itself: the .NET runtime handles SIGSEGV (it turns faults into NullReferenceException), so its fate
        // here is Handled, from the masks /proc/self/status gives, read here independently of the parser the target uses.
        var status = File.ReadAllLines("/proc/self/status");
        ulong Mask(string key) => Convert.ToUInt64(status.Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim(), 16);
        Assert.NotEqual(0UL, Mask("SigCgt") & Bit(SIGSEGV));
        var pid = Environment.ProcessId;
        var parsed = ProcFs.ThreadStatus(pid, pid)!.Signals;
        Assert.Equal((Mask("SigCgt"), Mask("SigIgn")), (parsed.Caught, parsed.Ignored));
        Assert.Equal(SignalFate.Handled, SignalFates.Of(new SignalInfo(SIGSEGV, SEGV_MAPERR), parsed));
    }
}
