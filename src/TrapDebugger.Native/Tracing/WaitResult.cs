namespace TrapDebugger.Native.Tracing;

/// <summary>One state change reaped by waitpid: the thread and its raw wait status.</summary>
internal readonly record struct WaitResult(int Tid, int Status)
{
    public bool Exited => (Status & 0x7f) == 0;
    public int ExitCode => (Status >> 8) & 0xff;
    public bool Signaled => (Status & 0x7f) != 0 && (Status & 0x7f) != 0x7f;
    public int TermSignal => Status & 0x7f;
    public bool CoreDumped => (Status & 0x80) != 0;
    public bool Stopped => (Status & 0xff) == 0x7f;
    public int StopSignal => (Status >> 8) & 0xff;
    public int Event => (Status >> 16) & 0xff;
    public bool Gone => Exited || Signaled;

    public override string ToString() =>
        Exited ? $"{Tid}: exited {ExitCode}" : Signaled ? $"{Tid}: killed by {TermSignal}" : $"{Tid}: stopped sig {StopSignal} event {Event}";
}
