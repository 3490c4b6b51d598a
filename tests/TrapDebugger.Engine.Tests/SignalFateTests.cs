using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Events;

namespace TrapDebugger.Engine.Tests;

/// <summary>What a signal does to the program, from its dispositions and the thread's blocked mask, as the kernel decides it.</summary>
public sealed class SignalFateTests
{
    private const int SIGILL = 4, SIGABRT = 6, SIGSEGV = 11, SIGUSR1 = 10, SIGPIPE = 13, SIGCHLD = 17, SIGTERM = 15;
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
        Assert.Equal(fate, SignalFates.Of(signal, code, caught, ignored, blocked));

    [Fact]
    public void FateOfThisProcessReadsItsDispositions()
    {
        // The test host itself: the .NET runtime handles SIGSEGV (it turns faults into NullReferenceException), so its fate
        // here is Handled, and it must agree with the masks of /proc/self/status read independently.
        var status = File.ReadAllLines("/proc/self/status");
        ulong Mask(string key) => Convert.ToUInt64(status.Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim(), 16);
        var pid = Environment.ProcessId;
        var expected = SignalFates.Of(SIGSEGV, SEGV_MAPERR, Mask("SigCgt"), Mask("SigIgn"), 0);
        Assert.Equal(expected, SignalFates.Of(pid, pid, new Native.Events.SignalInfo(SIGSEGV, SEGV_MAPERR, 0, 0, 0, 0)));
        Assert.NotEqual(0UL, Mask("SigCgt") & Bit(SIGSEGV));
    }
}
