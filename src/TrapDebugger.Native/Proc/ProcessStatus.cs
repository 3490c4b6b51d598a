namespace TrapDebugger.Native.Proc;

/// <summary>The fields of /proc/&lt;pid&gt;/status (or /proc/&lt;pid&gt;/task/&lt;tid&gt;/status) the tracer relies on.</summary>
/// <param name="Name">Name: the command name (comm), at most 15 bytes.</param>
/// <param name="State">State: the one-letter state (R, S, D, T, t, Z, X, I).</param>
/// <param name="Tgid">Tgid: the process id the thread belongs to.</param>
/// <param name="Pid">Pid: the thread id.</param>
/// <param name="ParentPid">PPid: the parent process id.</param>
/// <param name="TracerPid">TracerPid: the pid of the tracing process, 0 when untraced.</param>
/// <param name="EffectiveCapabilities">CapEff: the effective capability mask.</param>
public sealed record ProcessStatus(string Name, char State, int Tgid, int Pid, int ParentPid, int TracerPid, ulong EffectiveCapabilities)
{
    /// <summary>True when the thread sits in a job-control stop ('T') or a ptrace stop ('t').</summary>
    public bool IsStopped => State is 'T' or 't';

    /// <summary>SigCgt, SigIgn and SigBlk: the signals the process catches and ignores, and those the thread blocks.</summary>
    public SignalDispositions Signals { get; init; }

    /// <summary>SigPnd: the signals pending for the thread itself (bit n-1 for signal n).</summary>
    public ulong PendingSignals { get; init; }

    /// <summary>x86_Thread_features: true when the thread runs with a CET shadow stack ("shstk").</summary>
    public bool ShadowStack { get; init; }

    /// <summary>Parses the text of a status file.</summary>
    public static ProcessStatus Parse(string text)
    {
        string name = "";
        char state = '?';
        int tgid = 0, pid = 0, ppid = 0, tracer = 0;
        ulong capEff = 0, caught = 0, ignored = 0, blocked = 0, pending = 0;
        var shadowStack = false;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var key = line.AsSpan(0, colon);
            var value = line.AsSpan(colon + 1).Trim();
            switch (key)
            {
                case "Name": name = value.ToString(); break;
                case "State": state = value.Length > 0 ? value[0] : '?'; break;
                case "Tgid": int.TryParse(value, out tgid); break;
                case "Pid": int.TryParse(value, out pid); break;
                case "PPid": int.TryParse(value, out ppid); break;
                case "TracerPid": int.TryParse(value, out tracer); break;
                case "CapEff": ulong.TryParse(value, System.Globalization.NumberStyles.HexNumber, null, out capEff); break;
                case "SigCgt": ulong.TryParse(value, System.Globalization.NumberStyles.HexNumber, null, out caught); break;
                case "SigIgn": ulong.TryParse(value, System.Globalization.NumberStyles.HexNumber, null, out ignored); break;
                case "SigBlk": ulong.TryParse(value, System.Globalization.NumberStyles.HexNumber, null, out blocked); break;
                case "SigPnd": ulong.TryParse(value, System.Globalization.NumberStyles.HexNumber, null, out pending); break;
                case "x86_Thread_features": shadowStack = value.Contains("shstk", StringComparison.Ordinal); break;
            }
        }
        return new ProcessStatus(name, state, tgid, pid, ppid, tracer, capEff)
        {
            Signals = new SignalDispositions(caught, ignored, blocked),
            PendingSignals = pending,
            ShadowStack = shadowStack,
        };
    }
}
